/**
 * A small embedded list of common given names from many cultures (English, Spanish/Portuguese,
 * French, German/Dutch, Italian, Nordic, Slavic, Hungarian, Greek, Turkish, Arabic, Persian,
 * Indian, Chinese, Japanese, Korean, Vietnamese, African). Written for this project, not
 * downloaded. Names that are also frequent English words (May, Will, Grace...) are kept out of
 * the bare-list rule by AMBIGUOUS_NAMES and only count with a surname or a context phrase.
 */
const RAW = `
james john robert michael william david richard joseph thomas charles christopher daniel matthew anthony mark
donald steven paul andrew joshua kenneth kevin brian george timothy ronald edward jason jeffrey ryan jacob gary
nicholas eric jonathan stephen larry justin scott brandon benjamin samuel gregory alexander frank patrick raymond
jack dennis jerry tyler aaron jose adam nathan henry douglas zachary peter kyle ethan walter noah jeremy christian
keith roger terry gerald harold sean austin carl arthur lawrence dylan jesse jordan bryan billy joe bruce gabriel
logan albert willie alan juan wayne elijah randy roy vincent ralph eugene russell bobby mason philip louis harry
oliver liam lucas leo oscar archie theo freddie alfie charlie isaac luke max toby rory callum finn hugo owen
mary patricia jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy betty margaret sandra ashley
kimberly emily donna michelle carol amanda dorothy melissa deborah stephanie rebecca sharon laura cynthia kathleen
amy angela shirley anna brenda pamela emma nicole helen samantha katherine christine debra rachel carolyn janet
catherine maria heather diane ruth julie olivia joyce virginia victoria kelly lauren christina joan evelyn judith
megan andrea cheryl hannah jacqueline martha gloria teresa ann sara madison frances kathryn janice jean abigail
alice judy sophia denise amber doris marilyn danielle beverly isabella theresa diana natalie brittany charlotte
marie kayla alexis lori chloe ava mia amelia ella lily sophie isla poppy freya evie ruby jessica ellie
jose luis carlos jorge manuel antonio francisco javier miguel pedro alejandro rafael fernando pablo sergio diego
ricardo eduardo roberto andres mateo santiago sebastian alvaro adrian ivan raul enrique ramon joaquin emilio
 gonzalo hector julio cesar marcos tiago joao rodrigo gustavo leandro thiago vitor caio bruno felipe
carmen lucia ana isabel pilar dolores rosa mercedes cristina marta elena paula raquel beatriz silvia alba irene
valentina camila gabriela daniela mariana fernanda juliana leticia larissa beatriz giovanna julieta luciana
jean pierre michel philippe alain nicolas christophe francois laurent julien sebastien olivier thierry pascal
didier frederic antoine mathieu guillaume vincent benoit etienne remi yves bernard claude gerard hugues
marie nathalie isabelle sylvie catherine christine sandrine veronique valerie celine stephanie sophie aurelie
camille chloe manon juliette margaux amelie elodie oceane brigitte francoise monique genevieve helene
hans peter klaus jurgen wolfgang dieter horst uwe gunter heinz stefan andreas thomas markus frank bernd ralf
matthias jens jan tobias florian lukas felix leon jonas maximilian niklas tim moritz paul finn elias lars dirk
ursula monika petra sabine renate ingrid gisela andrea claudia susanne birgit heike katrin anja nicole julia
lena hannah leonie laura lea anna johanna greta emilia frieda maarten pieter joost bram daan
sem ruben thijs sanne femke anouk lotte fleur eva iris noor
giuseppe giovanni francesco antonio mario luigi angelo vincenzo pietro salvatore carlo franco domenico bruno
paolo sergio luca marco alessandro matteo lorenzo andrea davide simone federico riccardo stefano 
giulia francesca chiara sara martina alessia federica valentina elisa silvia giorgia aurora beatrice ginevra
 rosalia assunta graziella
lars anders erik nils sven olof johan karl per mikael henrik magnus bjorn einar olav knut gunnar sigurd thor
ingrid astrid sigrid karin kerstin birgitta britt solveig liv maja elsa linnea saga ebba freja 
 ukko eino juha mikko jukka timo matti pekka antti ville aino helmi kaija tuula aila 
ivan dmitri sergei alexei andrei nikolai mikhail vladimir yuri pavel boris oleg igor viktor anatoly konstantin
olga natalia tatiana svetlana irina elena anastasia ekaterina yulia marina ludmila vera galina daria ksenia
piotr krzysztof tomasz pawel marcin michal jakub wojciech jerzy grzegorz andrzej kamil mateusz janusz zbigniew
agnieszka katarzyna malgorzata magdalena joanna aleksandra barbara ewa krystyna zofia bozena janina wanda
jiri petr josef pavel martin tomas vaclav ladislav miroslav jaroslav zdenek jana eva hana lenka vera
laszlo gabor zoltan istvan sandor ferenc jozsef attila tamas csaba janos balazs 
erzsebet katalin ilona eva zsuzsanna anna aniko
georgios dimitrios konstantinos ioannis nikolaos panagiotis christos vasilis eleni maria katerina sofia
mehmet mustafa ahmet ali huseyin hasan ibrahim ismail osman yusuf murat emre burak fatma ayse emine hatice
zeynep elif meryem
mohammed muhammad ahmed ahmad mahmoud omar khalid hassan hussein abdullah youssef karim tariq samir walid
rashid faisal nasser fatima aisha khadija maryam layla leila amira yasmin nour salma zainab huda rania
reza hossein mehdi amir dariush farhad parisa shirin maryam zahra
raj rahul amit sanjay vijay arjun rohan ravi suresh ramesh anil sunil deepak ajay vikram aditya karan arun
krishna ganesh manoj prakash rajesh priya ananya aishwarya divya pooja neha sneha anjali kavya lakshmi sunita
deepika shreya meera radha sita geeta
wei jing li ming hua yan ling hui fang xin yu hong jun lei tao bo chen jie qiang xiaoming xiaoyu
hiroshi takashi kenji yuki haruto sota yuto kaito takumi daiki kazuki ryo satoshi akira kenta naoki shota
 yuko keiko akiko yumiko naoko sakura yui hina aoi mei rin haruka misaki ayaka nanami
min jun seo ji hyun woo jae sung young hye eun soo ji-hoon min-jun seo-yeon
minh anh duc hung tuan linh huong thao trang lan mai
kwame kofi kwaku yaw ama akosua abena chinedu chidi emeka ngozi adaeze oluwaseun tunde femi bola ayodele
thabo sipho themba nomvula zanele tendai tafadzwa amara imani zuri
gabriel elias samuel simon tobias matthias sebastian fabian julian adrian dominik patrick philipp lorenz
 nathan ian colin graham neil stuart duncan fraser malcolm hamish gordon  trevor clive nigel
martin dean darren craig wayne lee glen shane travis troy brent chad clint cody dustin jared marcus
victor hugo felix oscar rafael lucas mateus matheus enzo davi arthur heitor bernardo murilo
 katie laura lucy emily megan jade holly chelsea kirsty gemma  chloe abby molly tessa 
tina gina dana erin  kirsten  brittany courtney whitney lindsay    stacy
claire fiona eilidh morag siobhan niamh aoife ciara roisin sinead grainne orla
 paola  silvana gabriela adriana veronica monica patricia roxana mariela florencia agustina
ines margarida leonor matilde beatriz rita joana catarina
emil oskar viktor aksel mads rasmus frederik christoffer magnus sondre kristian jesper mikkel
anne  hanne lene tove berit ragnhild sigrun solveig kari eli inger marit ingrid linnea
matilda wilma  elsa ellen signe sanna hanna minna riikka johanna
ilse anke heike silke elke frauke wiebke dagmar hildegard margarete gertrud
katrin kerstin svenja jana jasmin  nadine  stefanie
bojan dragan goran zoran milan nikola marko luka petar stefan dusan vuk milos
ana ivana jelena marija milica tamara jovana dragana snezana
bogdan mihai andrei ionut florin cristian adrian radu sorin catalin vlad
ioana elena andreea alexandra mihaela raluca irina cristina oana
jakob david tobias elena nejc ziga rok  luka jure anze
kenji hiroshi yusuke shinji kazuo akira  yoshiko keiko michiko
jae-won min-ho seung hyun-woo ji-woo soo-jin eun-ji
aarav vivaan aditya vihaan arjun sai reyansh ayaan krishna ishaan
`;

/** Lowercase given names, diacritics stripped (compare with `foldName`). */
export const FIRST_NAMES: ReadonlySet<string> = new Set(RAW.split(/\s+/).filter((w) => w.length > 1));

/** Given names that are also common words or months; they need a surname or a context phrase. */
export const AMBIGUOUS_NAMES: ReadonlySet<string> = new Set([
  'may', 'june', 'april', 'august', 'will', 'mark', 'bill', 'grace', 'hope', 'joy', 'rose', 'faith',
  'summer', 'dawn', 'art', 'jack', 'frank', 'max', 'rich', 'ray', 'sue', 'pat', 'don', 'guy', 'li', 'yu',
  'jun', 'min', 'ji', 'woo', 'young', 'eun', 'soo', 'sung', 'bo', 'tao', 'lei', 'jie', 'ming', 'hong',
  'fang', 'yan', 'lan', 'mai', 'anh', 'duc', 'amber', 'ruby', 'iris', 'olive', 'lily', 'poppy', 'sky',
  'christian', 'per', 'tim', 'jan', 'sem', 'saga', 'liv', 'vera', 'ama', 'rin', 'mei', 'ann', 'jean', 'dean',
  'luke', 'roy', 'bobby', 'willie', 'noor',
]);

const DIACRITICS = /[\u0300-\u036f]/g;

/** Lowercase and strip diacritics (NFD), so `Aristóteles` and `Wacława` compare to list entries. */
export function foldName(s: string): string {
 return s.normalize('NFD').replace(DIACRITICS, '').replace(/ł/g, 'l').replace(/ð/g, 'd').toLowerCase();
}

/**
 * Common surnames from many countries (US/UK, Irish/Scottish, German, Dutch, French, Spanish and
 * Latin American, Portuguese, Italian, Nordic, Polish, Czech, Hungarian, Russian/Ukrainian,
 * Turkish, Arabic, Indian, Chinese, Japanese, Korean, Vietnamese), written for this project.
 * Lowercase, diacritics stripped.
 */
/** Particles of compound surnames ("van der Meer"), not surnames alone. */
const PARTICLE_WORDS = new Set(['de', 'van', 'den', 'der', 'da', 'del', 'di', 'le', 'la', 'von', 'dos', 'das', 'du']);

const RAW_SURNAMES = `
smith johnson williams jones miller davis garcia rodriguez wilson martinez anderson taylor thomas
hernandez moore martin jackson thompson lopez gonzalez harris clark lewis robinson walker perez hall
allen sanchez wright scott torres nguyen hill flores adams nelson baker campbell mitchell carter roberts
gomez phillips evans turner diaz parker cruz edwards collins reyes stewart morris morales murphy cook
rogers gutierrez ortiz morgan cooper peterson ramos kim howard ward richardson watson brooks chavez
bennett mendoza ruiz hughes alvarez castillo sanders patel myers ross foster jimenez powell jenkins
perry russell sullivan coleman butler henderson barnes fisher vasquez simmons romero jordan patterson
alexander hamilton graham reynolds griffin wallace west cole hayes gibson bryant ellis stevens
murray ford marshall owens mcdonald harrison kennedy wells alvarado castro chapman jacobs
mcdaniel fernandez schmidt spencer stephens tucker porter hunter hicks crawford henry boyd mason
warren dixon burns gordon shaw holmes rice robertson hunt black daniels palmer mills nichols grant
ferguson rose stone hawkins dunn perkins hudson spencer gardner stephens payne pierce berry matthews
arnold wagner willis ray watkins olson carroll duncan snyder hart cunningham bradley lane andrews
ruiz harper fox riley armstrong carpenter weaver greene lawrence elliott chavez sims austin peters
kelley franklin lawson fields gutierrez ryan schmidt carr vasquez castillo wheeler chapman oliver
montgomery richards williamson johnston banks meyer bishop mccoy howell morrison hansen fernandez
garza harvey little burton stanley nguyen george jacobs reid fuller lynch dean gilbert garrett romero
welch larson frazier burke hanson day mendoza moreno bowman medina fowler brewer hoffman carlson
silva pearson holland douglas fleming jensen vargas byrd davidson hopkins may terry herrera wade soto
walters curtis neal caldwell lowe jennings barnett  jimenez horton shelton barrett obrien castro
sutton gregory mckinney lucas miles craig rodriquez chambers holt lambert fletcher watts bates hale
rhodes pena beck newman haynes mcdaniel mendez bush vaughn parks dawson santiago norris hardy love
steele curry powers schultz barker guzman page munoz ball keller chandler weber leonard walsh lyons
ramsey wolfe schneider mullins benson sharp bowen daniel barber cummings hines baldwin griffith
valdez hubbard salazar reeves warner stevenson burgess santos tate cross garner mann mack moss thornton
dennis mcgee farmer delgado aguilar vega glover manning cohen harmon rodgers robbins newton todd
blair higgins ingram reese cannon strickland townsend potter goodwin walton rowe hampton ortega
patton swanson joseph francis goodman maldonado yates becker erickson hodges rios conner adkins
webster norman malone hammond flowers cobb moody quinn blake maxwell pope floyd osborne paul mccarthy
guerrero lindsey estrada sandoval gibbs tyler gross fitzgerald stokes doyle sherman saunders wise
colon gill alvarado greer padilla simon waters nunez ballard schwartz mcbride houston christensen
klein pratt briggs parsons mclaughlin zimmerman french buchanan moran copeland roy pittman brady
mccormick holloway brock poole frank logan owen bass marsh drake wong jefferson park morton abbott
sparks patrick norton huff clayton massey lloyd figueroa carson  roberson barton tran lamb
harrington casey boone cortez clarke mathis singleton wilkins cain bryan underwood hogan mckenzie
collier luna phelps mcguire allison bridges wilkerson nash summers atkins wilcox pitts conley marquez
burnett richard cochran chase davenport hood gates clay ayala sawyer roman vazquez dickerson 
acosta flynn espinoza nicholson monroe wolf morrow kirk randall anthony whitaker oconnor skinner
ware molina kirby huffman bradford charles gilmore dominguez oneal bruce lang combs kramer heath
hancock gallagher gaines shaffer short wiggins mathews mcclain fischer wall small melton hensley
bond dyer cameron grimes contreras christian wyatt baxter snow mosley shepherd larsen hoover beasley
glenn petersen whitehead meyers keith garrison vincent shields horn savage olsen schroeder hartman
woodard mueller kemp deleon booth patel calhoun wiley eaton cline navarro harrell lester humphrey
parrish duran hutchinson hess dorsey bullock robles beard dalton avila vance rich blackwell york
johns blankenship trevino  campos pruitt moses callahan golden montoya hardin guerra mcdowell
carey stafford gallegos henson wilkinson booker merritt miranda atkinson orr decker hobbs preston
tanner knox pacheco stephenson glass rojas serrano marks hickman english sweeney strong prince
mcclure conway walter roth maynard farrell lowery hurst nixon weiss trujillo ellison sloan juarez
winters mclean randolph leon boyer villarreal mccall gentry carrillo kent ayers lara shannon sexton
pace hull leblanc browning velasquez leach chang house sellers herring noble foley bartlett mercado
landry durham walls barr mckee bauer rivers everett bradshaw pugh velez rush estes dodson morse
sheppard weeks camacho bean barron livingston middleton spears branch blevins chen kerr mcconnell
hatfield harding ashley solis herman frost giles blackburn william pennington woodward finley
mcintosh koch best solomon mccullough dudley nolan blanchard rivas brennan mejia kane benton joyce
buckley haley valentine maddox russo mcknight buck moon mcmillan crosby berg dotson mays roach church
chan richmond meadows faulkner oneill knapp kline barry ochoa jacobson gay avery hendricks horne
shepard hebert cherry cardenas mcintyre whitney waller holman donaldson cantu terrell morin gillespie
fuentes tillman sanford bentley peck key salas rollins gamble dickson battle santana cabrera cervantes
howe hinton hurley spence zamora yang mcneil suarez case petty gould mcfarland sampson carver bray
rosario macdonald stout hester melendez dillon farley hopper galloway potts bernard joyner stein
aguirre osborn mercer bender franco rowland sykes benjamin travis pickett crane sears mayo dunlap
hayden wilder mckay coffey mccarty ewing cooley vaughan bonner cotton holder stark ferrell cantrell
fulton lynn lott calderon rosa pollard hooper burch mullen fry riddle levy david duke odonnell guy
michael britt frederick daugherty berger dillard alston jarvis frye riggs chaney odom duffy fitzpatrick
valenzuela merrill mayer alford mcpherson acevedo donovan barrera albert cote reilly compton raymond
mooney mcgowan craft cleveland clemons wynn nielsen baird stanton snider rosales bright witt stuart
hays holden rutledge kinney clements castaneda slater hahn emerson conrad burks delaney pate lancaster
sweet justice tyson sharpe whitfield talley macias irwin burris ratliff mccray madden kaufman beach
goff cash bolton mcfadden levine good byers kirkland kidd workman carney dale mcleod holcomb england
finch head burt hendrix sosa haney franks sargent nieves downs rasmussen bird hewitt lindsay le
foreman valencia oneil delacruz vinson dejesus hyde forbes gilliam guthrie wooten huber barlow 
mcmahon buckner rocha puckett langley knowles cooke velazquez whitley noel vang
muller mueller schmidt schneider fischer weber meyer wagner becker schulz hoffmann schafer koch bauer
richter klein wolf schroder neumann schwarz zimmermann braun kruger hofmann hartmann lange schmitt
werner schmitz krause meier lehmann schmid schulze maier kohler herrmann konig walter mayer huber
kaiser fuchs peters lang scholz moller weiss jung hahn schubert vogel friedrich keller gunther frank
berger winkler roth beck lorenz baumann franke albrecht schuster simon ludwig bohm winter kraus
martin schumacher kramer vogt stein jager otto sommer gross seidel heinrich brandt haas schreiber
graf schulte dietrich ziegler kuhn kuhl pohl engel horn busch bergmann thomas voigt sauer arnold
wolff pfeiffer
de jong jansen de vries van den berg van dijk bakker janssen visser smit meijer de boer mulder de groot
bos vos peters hendriks van leeuwen dekker brouwer de wit dijkstra smits de graaf van der meer
van der linden kok jacobs de haan vermeulen van den heuvel van der veen van den broek de bruijn
de bruin van der heijden schouten van beek willems van vliet van de ven hoekstra maas verhoeven
koster van dam van der wal prins blom huisman peeters maes jacobs mertens willems claes goossens
wouters dubois lambert dupont martin bernard thomas petit robert richard durand leroy moreau simon
laurent lefebvre michel garcia david bertrand roux vincent fournier morel girard andre lefevre mercier
dupont lambert bonnet francois martinez legrand garnier faure rousseau blanc guerin muller henry
roussel nicolas perrin morin mathieu clement gauthier dumont lopez fontaine chevalier robin masson
sanchez gerard nguyen boyer denis lemaire duval  gautier roger roche roy noel meyer lucas
meunier jean perez marchand dufour blanchard marie barbier brun dumas brunet schmitt leroux colin
fernandez pierre renard arnaud rolland caron aubert giraud leclerc vidal bourgeois renaud lemoine
picard gaillard philippe leclercq lacroix fabre dupuis olivier rodriguez da silva hubert louis
charles guillot riviere le gall guillaume adam rey moulin gonzalez berger lecomte menard fleury
deschamps carpentier julien benoit paris maillard marchal aubry vasseur le roux renault jacquet
collet prevost poirier charpentier royer huet baron dupuy pons paul laine carre breton remy
schneider perrot guyot barre marty cousin
garcia fernandez gonzalez rodriguez lopez martinez sanchez perez gomez martin jimenez ruiz hernandez
diaz moreno munoz alvarez romero alonso gutierrez navarro torres dominguez vazquez ramos gil ramirez
serrano blanco molina morales suarez ortega delgado castro ortiz rubio marin sanz nunez iglesias
medina garrido cortes castillo santos lozano guerrero cano prieto mendez cruz calvo gallego herrera
marquez leon vidal pena flores cabrera campos vega fuentes carrasco diez caballero reyes nieto aguilar
pascual santana herrero lorenzo montero hidalgo gimenez ibanez ferrer duran santiago benitez mora
vicente vargas arias carmona crespo roman pastor soto saez velasco moya soler parra esteban bravo
gallardo rojas silva souza costa santos oliveira pereira rodrigues almeida nascimento lima araujo
fernandes carvalho gomes martins rocha ribeiro alves monteiro mendes barros freitas barbosa pinto
moura cavalcanti dias castro campos cardoso teixeira correia sousa goncalves ferreira lopes
marques vieira mendonca nunes machado azevedo
rossi russo ferrari esposito bianchi romano colombo ricci marino greco bruno gallo conti de luca mancini
costa giordano rizzo lombardi moretti barbieri fontana santoro mariani rinaldi caruso ferrara galli
martini leone longo gentile martinelli vitale lombardo serra coppola de santis d'angelo marchetti
parisi villa conte ferraro ferri fabbri bianco marini grasso valentini messina sala de angelis gatti
pellegrini palumbo sanna farina rizzi monti cattaneo morelli amato silvestri mazza testa grassi
pellegrino carbone giuliani benedetti barone rossetti caputo montanari guerra palmieri bernardi
martino fiore de rosa ferretti bellini basile riva donati piras vitali battaglia sartori neri costantini
milani pagano ruggiero sorrentino d'amico orlando damico negri
hansen johansen olsen larsen andersen pedersen nilsen kristiansen jensen karlsen johnsen pettersen
eriksen berg haugen hagen johannessen andreassen jacobsen dahl jorgensen halvorsen henriksen lund
sorensen jakobsen moen gundersen iversen strand solberg svendsen eide knutsen martinsen paulsen
bakken kristoffersen mathisen lie amundsen nguyen rasmussen ali lunde solheim berge moe nygard bakke
kristensen fredriksen holm lien hauge christensen andresen nielsen knudsen evensen sather aas myhre
hanssen ahmed haugland thomassen sivertsen simonsen danielsen berntsen sandvik rønning arnesen
madsen poulsen thomsen  rasmussen jorgensen petersen mortensen mikkelsen frederiksen
laursen nissen clausen schmidt knudsen lauridsen
johansson andersson karlsson nilsson eriksson larsson olsson persson svensson gustafsson pettersson
jonsson jansson hansson bengtsson jonsson lindberg jakobsson  olofsson lindstrom lindqvist
lindgren berg axelsson bergstrom  lind lundgren lundqvist mattsson berglund fredriksson
sandberg henriksson forsberg sjoberg wallin engstrom  danielsson lundin hakansson bjork
bergman gunnarsson holm wikstrom samuelsson isaksson fransson  nystrom holmberg 
lofgren soderberg  blomqvist claesson nordstrom martensson lundstrom viklund bjorklund
eliasson palsson berggren sandstrom lund nordin  aberg holmgren sundberg ekstrom hedlund
korhonen virtanen makinen nieminen makela hamalainen laine heikkinen koskinen jarvinen lehtonen
lehtinen saarinen salminen heinonen niemi heikkila kinnunen salonen turunen salo laitinen tuominen
rantanen karjalainen jokinen mattila savolainen lahtinen ahonen
nowak kowalski wisniewski wojcik kowalczyk kaminski lewandowski zielinski szymanski wozniak dabrowski
kozlowski jankowski mazur wojciechowski kwiatkowski krawczyk kaczmarek piotrowski grabowski zajac
pawlowski michalski krol wieczorek jablonski wrobel nowakowski majewski olszewski stepien malinowski
jaworski adamczyk dudek nowicki pawlak gorski witkowski walczak sikora baran rutkowski michalak
szewczyk ostrowski tomaszewski pietrzak zalewski wroblewski marciniak jasinski zawadzki
kowalska nowakowa wisniewska wojcikowa kaminska lewandowska zielinska szymanska wozniakowa
novak svoboda novotny dvorak cerny prochazka kucera vesely horak nemec marek pospisil hajek jelinek
kral ruzicka benes fiala sedlacek dolezal zeman kolar navratil cermak urban vanek blazek kriz
novakova svobodova novotna dvorakova cerna prochazkova kucerova vesela horakova
nagy kovacs toth szabo horvath varga kiss molnar nemeth farkas balogh papp takacs juhasz lakatos
meszaros olah simon racz fekete szilagyi torok feher balazs gal kis szucs kocsis orsos pinter
fodor szalai sipos magyar lukacs gulyas biro kiraly katona laszlo jakab bogdan balog sandor boros
ivanov smirnov kuznetsov popov vasiliev petrov sokolov mikhailov novikov fedorov morozov volkov
alekseev lebedev semenov egorov pavlov kozlov stepanov nikolaev orlov andreev makarov nikitin
zakharov zaitsev solovyov borisov yakovlev grigoriev romanov vorobyov sergeev kuzmin frolov
alexandrov dmitriev korolev gusev kiselev ilyin maksimov polyakov sorokin vinogradov kovalev belov
medvedev antonov tarasov zhukov baranov filippov komarov davydov belyaev gerasimov bogdanov osipov
sidorov matveev titov markov mironov krylov kulikov karpov vlasov melnikov denisov gavrilov
ivanova smirnova kuznetsova popova petrova sokolova novikova morozova volkova lebedeva kozlova
shevchenko kovalenko bondarenko tkachenko kravchenko oliynyk shevchuk koval polishchuk bondar
yilmaz kaya demir sahin celik yildiz yildirim ozturk aydin ozdemir arslan dogan kilic aslan cetin
kara koc kurt ozkan simsek polat ozcan korkmaz cakir erdogan yavuz can acar sen aktas guler
yalcin gunes bozkurt bulut keskin unal turan gul ozer isik kaplan avci sari tekin tas kose yuksel
ali ahmed hassan hussein mohamed mohammed ibrahim mahmoud abdullah khalil haddad khoury nasser
saleh salem mansour hamdan jaber darwish farah aziz karim rahman khan malik hussain qureshi siddiqui
sheikh chaudhry butt iqbal akhtar baig mirza
sharma verma gupta singh kumar patel shah mehta joshi desai reddy rao nair iyer menon pillai
chatterjee banerjee mukherjee das bose ghosh sen dutta roy chowdhury agarwal bansal jain malhotra
kapoor khanna chopra bhatia sethi arora saxena mishra pandey tiwari dubey srivastava yadav
chauhan rathore thakur naidu krishnan subramanian venkatesh raman
wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he lin gao luo zheng liang
xie song tang han feng deng cao peng zeng xiao tian dong pan yuan cai jiang yu du ye cheng wei su
lu ding ren shen yao zhong cui tan lu fan wong cheung chan leung lau lee ho ng tsang yip
sato suzuki takahashi tanaka watanabe ito yamamoto nakamura kobayashi kato yoshida yamada sasaki
yamaguchi matsumoto inoue kimura hayashi shimizu yamazaki mori abe ikeda hashimoto yamashita ishikawa
nakajima maeda fujita ogawa goto okada hasegawa murakami kondo ishii saito sakamoto endo aoki fujii
nishimura fukuda ota miura fujiwara okamoto matsuda nakagawa nakano harada ono tamura takeuchi kaneko
wada nakayama ishida ueda morita hara shibata sakai kudo yokoyama miyazaki miyamoto uchida takagi
ando taniguchi ohno maruyama imai takada fujimoto takeda murata ueno sugiyama masuda sugawara
hirano otsuka chiba kubo matsui iwasaki sakurai kinoshita noguchi matsuo nomura kikuchi sano onishi
sugimoto arai  
kim lee park choi jung kang cho yoon jang lim han oh seo shin kwon hwang ahn song jeon hong
nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly
okafor okonkwo adeyemi ogunleye mensah boateng asante owusu osei appiah kamau otieno mwangi
ochieng njoroge kariuki dlamini nkosi ndlovu khumalo mokoena
`;

/** Lowercase surnames, diacritics stripped (compare with `foldName`). */
export const SURNAMES: ReadonlySet<string> = new Set(RAW_SURNAMES.split(/\s+/).filter((w) => w.length > 1 && !PARTICLE_WORDS.has(w)));


/**
 * Surnames that are also common English words, places or given names: alone they need a person
 * cue, a given name before them or another name in the same list.
 */
export const AMBIGUOUS_SURNAMES: ReadonlySet<string> = new Set([
  'may', 'hill', 'young', 'white', 'brown', 'green', 'greene', 'black', 'king', 'wood', 'rose', 'bell', 'long', 'short',
  'stone', 'page', 'price', 'reed', 'lane', 'mann', 'church', 'hall', 'case', 'field', 'fields', 'gray', 'day', 'wells',
  'mills', 'banks', 'cross', 'little', 'rich', 'love', 'lamb', 'fox', 'hunt', 'marsh', 'cook', 'baker', 'turner',
  'walker', 'fisher', 'hunter', 'porter', 'sharp', 'strong', 'snow', 'frost', 'summers', 'winter', 'winters', 'bishop',
  'noble', 'best', 'good', 'golden', 'sweet', 'justice', 'head', 'bird', 'berry', 'cherry', 'house', 'branch', 'battle',
  'key', 'cash', 'cotton', 'glass', 'english', 'french', 'small', 'wall', 'walls', 'park', 'parks', 'lee', 'le', 'li',
  'ma', 'he', 'ho', 'do', 'an', 'so', 'oh', 'on', 'yu', 'su', 'lu', 'du', 'ye', 'wei', 'sun', 'song', 'han', 'roy',
  'ray', 'dean', 'case', 'moon', 'rivers', 'waters', 'powers', 'flowers', 'woods', 'brooks', 'ford', 'york', 'english',
  'paris', 'london', 'houston', 'washington', 'jordan', 'georgia', 'florida', 'austin', 'dallas', 'phoenix', 'denver',
  'lincoln', 'jackson', 'madison', 'kent', 'cleveland', 'jefferson', 'charles', 'henry', 'thomas', 'james', 'george',
  'paul', 'john', 'david', 'simon', 'martin', 'lucas', 'daniel', 'joseph', 'michael', 'frank', 'william', 'richard',
  'robert', 'patrick', 'louis', 'vincent', 'benjamin', 'anthony', 'albert', 'raymond', 'frederick', 'francis', 'leon',
  'bruno', 'marie', 'jean', 'pierre', 'carter', 'mason', 'parker', 'tyler', 'logan', 'graham', 'grant', 'hope',
  'chase', 'guy', 'moss', 'bush', 'mack', 'marks', 'gates', 'clay', 'wolf', 'wolfe', 'lang', 'hood', 'rush', 'pope',
  'bond', 'bright', 'chan', 'tran', 'lin', 'mora', 'villa', 'costa', 'silva', 'rosa', 'cruz', 'vega', 'leon', 'luna',
  'santiago', 'santana', 'mercado', 'serra', 'testa', 'bianco', 'conte', 'guerra', 'berg', 'lund', 'strand', 'dahl',
  'holm', 'moe', 'lie', 'aas', 'strom', 'can', 'sen', 'gul', 'tas', 'sari', 'ali', 'khan', 'das', 'jain', 'shah', 'kim',
  'cho', 'oh', 'seo', 'shin', 'hong', 'ly', 'abe', 'ono', 'ota', 'hara', 'mori', 'otto', 'graf', 'horn', 'engel',
  'busch', 'haas', 'jung', 'kaiser', 'vogel', 'koch', 'bauer', 'stein', 'sommer', 'kraus', 'kramer', 'roth', 'beck',
  'urban', 'marek', 'kral', 'simon', 'magyar', 'papp', 'popov', 'adam', 'blanc', 'petit', 'brun', 'roux', 'noel',
  'rey', 'paris', 'baron', 'colin', 'royer', 'pons', 'remy', 'bos', 'vos', 'smit', 'kok', 'maas', 'prins', 'blom',
  'jacobs', 'peters', 'richards', 'fields', 'banks', 'hurst', 'orr', 'knox', 'prince', 'marsh', 'east', 'west',
  'north', 'south', 'tate', 'pace', 'poole', 'potter', 'carver', 'dyer', 'bass', 'wise', 'hale', 'holt', 'holmes',
  'gill', 'cole', 'dunn', 'shaw', 'ball', 'page', 'wade', 'soto', 'ross', 'rice', 'bowen', 'major', 'miles', 'nash',
  'lowe', 'hughes', 'vance', 'sykes', 'booth', 'mercer', 'hardy', 'savage', 'duke', 'fry', 'riddle', 'levy',
  'lloyd', 'bentley', 'mayo', 'sears', 'crane', 'cain', 'drake', 'britt', 'german', 'france', 'holland', 'england',
  'wales', 'ireland', 'china', 'india', 'ali', 'says', 'will', 'mark', 'hope', 'faith', 'art', 'max', 'bill', 'don',
]);
