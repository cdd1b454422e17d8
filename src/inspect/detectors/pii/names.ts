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
adnan alen almir amar amela amina armin asim azra belma damir dzenana edin elma elvir emina emir enes ermin esad
haris hasan irma jasmin jasmina kenan lejla mahir merima mirza nermin nihad sabina safet sanel selma senad suad
vedad vehbija zlatan boris branimir darko davor domagoj dragica goran hrvoje igor ivica josip jure kresimir
marin matej mato mladen nenad petra sanja slavko snjezana stanko tihomir tomislav vesna vlatka zeljko zvonimir
aleksandar biljana borislav bozidar branko dejan dobrila dragan dusan gordana jelena jovan ljiljana ljubica milan
milena miodrag mirjana nebojsa predrag radmila slobodan sladjana stevan svetlana tatjana uros vladan zoran
ales andrej bostjan blaz gregor janez jernej joze klemen mateja matjaz metka mojca primoz spela tadej tina urska
adam adrian agata alicja amelia aniela antoni bartosz beata bogumila bronislaw czeslaw dariusz dominika edyta elzbieta
franciszek genowefa grazyna halina henryk hubert ignacy irena irenka iwona izabela jacek jadwiga jolanta julian kacper
karol kazimierz kinga konrad leszek lucja lukasz marianna mariola mieczyslaw miroslawa monika natalia oliwer patrycja
przemyslaw radoslaw robert ryszard sebastian slawomir stanislawa szymon teresa urszula wanda wieslaw
wladyslaw zbigniew zdzislaw zenon zuzanna
blanka bohumil bozena dagmar dana daniela eliska frantisek helena hynek ivana jaromir jindrich jitka karel katerina
libor lubomir marketa milada milos miroslav oldrich otakar radka radim radovan stanislav svatopluk vaclava vendula
vit vlasta vojtech zdenka zuzana
aniko bela bence dora ervin eszter gizella gyorgy gyula ildiko imre jolan kalman klara krisztina levente
lili magdolna marton mihaly nandor noemi orsolya piroska reka szilvia tibor timea vilmos zsofia zsolt
aarne aatos aki ansa arvo eemeli eeva elias erkki hannu harri heli hilja ilmari inkeri irmeli jaakko jussi kaarlo
kaisa kalle kerttu lempi markku martti miia mika milla nelli niilo olli onni oskari pasi petteri pirkko ruut sami
sanni santeri satu seija sulo taina tuija tuomas tuula valtteri veera vesa viljami vilho
aivar andres arvo eha enn heino helle indrek jaan juhan kadri kaja kalev katrin koidula kristjan lauri liis maarja
meelis merike peeter piret priit raivo reet riho siim sirje taavi tiit toomas triin urmas vello
agusta aron arnar asdis baldur birgir bjarni bjork brynjar dagur einar eyja freyr fridrik gisli gudmundur gudrun
gunnhildur haukur helgi hjordis hrafn ingibjorg jona kolbrun kristjan olafur palmi ragnheidur sigridur sigurdur
solveig steinunn svanhildur thora thorunn thorsteinn unnur valdis
arne asger birthe bo carsten dorthe ejnar flemming gitte grete hanne inge jesper jorgen karen kirsten
mogens niels poul signe soren svend tove troels vagn vibeke
akifumi akihiro asuka atsushi ayumi chiharu daisuke eiji emiko fumiko goro hajime haruko hayato hideo hikaru hiromi
hitomi isamu itsuki jiro junko kaede kanako katsuo kazuhiro kei kenichi kiyoshi koji kumiko mamoru masaki masako
masaru mayumi megumi michio minoru mitsuko miyuki momoko nao natsuki nobuo osamu riku ryota ryuji sachiko saki
shigeru shiori sora susumu tadashi takao takuya tetsuya tomoya toshiro tsubasa wataru yasuo yoshiko yuito
yusuke yutaka
ahmet alper aysel aysegul baris berk bulent burcu cem cemal deniz derya ebru ece engin esra fatih gokhan gulsen
hakan halil irem kemal levent melike merve nazli oguz onur ozlem selin serkan sevgi sibel tolga tugba ugur volkan
yasemin yigit zafer
alexandros angeliki anastasios apostolos athanasios chrysa despina dimitra evangelia evangelos fotini giannis
ilias kyriakos konstantina lambros michalis nektarios panagiota paraskevi spyros stavros theodora
thanos vasiliki yiannis
adelino adolfo aldo amadeu amalio anacleto aniceto bartolome benito casimiro cayetano cipriano clemente
conrado crispin dario demetrio efrain eladio eleuterio eliseo ernesto eusebio evaristo faustino favian feliciano
fermin florencio fortunato gaspar genaro gerardo gregorio guillermo heriberto hilario homero ignacio isidro
jacobo jenaro leonardo leopoldo lisandro lucio marcelino mariano maximo nicanor nicolas norberto
pascual patricio porfirio rigoberto rosendo rufino saturnino severino teofilo tomas valentin
abril adriana amalia anabel aurelia belen benita candela casilda catalina
celestina celina clotilde dorotea elvira emilia encarnacion eugenia eva felisa filomena gloria
herminia hortensia ines ingrid jacinta josefa juana leonor lidia lorena lucrecia macarena manuela
marcela maria matilde micaela mireia natividad nuria obdulia petra purificacion ramona
sonia tatiana teodora valeria victoria virginia zoila
ans anneke annemiek bas bram coen corrie dirk els erik evert fenna frits gert gerrit geert hendrik
henk hennie ineke jaap jeroen joop jorien kees klaas koen lieke maaike marieke marijke mark maud mies niels
nienke pim rianne rik roel rutger saskia sietske sjoerd stijn teun tjitske truus wim wouter
aase agnete anneli annika asbjorn asmund bengt birger birte bodil borghild dagny dagrun eirik eivind elin elisabet
erling esben espen fredrik gudrun gunvor gustaf hakon halvard halvor harald hedda helle henning hjalmar idun ingvar
ingrid jarl jorunn jostein kaare katrine kjell kjersti knut kristoffer lasse liv malene mette morten nils oddny
ola ole pernille preben ragnar rune sigbjorn sigve steffen stig sunniva svein synnove terje thorvald tone
torbjorn tore torunn trond ulf unni vebjorn vidar
aarne aatu aila aleksi anja anneli annikki arto eero eila eliisa elina esko heikki helena hilkka ilkka irja jaana
jari jouni kaarina kalevi kari kimmo kirsi kyosti lauri leena liisa maija marja marketta mervi minna mirja oili
olavi outi paavo paivi pentti pirjo raimo reijo riitta ritva sakari seppo sirpa taisto tapani tapio tarja teemu terhi
tiina tuomas tuomo ulla unto urho vaino veikko virpi
alexandra alexandre alessio aleksandr aleksei alla alina alisa allan amalia amanda ambrose anders
andre andrei angelica angelina anita annette antonio ari arianna arvid asa asya aurelia axel
benedikt bertha bettina bianca blanca bogdana bohdan boris borislav branka brigitta camilla caspar
cecilia cecile charlotte christa cillian ciaran clarissa claudio clemens conor constance cormac
dalia damian darko darya declan desmond dmitry dorota dragomir edmund eduard eileen eleanor
elin elisabeth eloise emilie enrico ernst ettore eugenia evgeny fabio fabrizio farida fatih federica
filip filippo fleur francesca franziska frederikke gareth gemma georg gerhard gianluca gilles
gisele giuliana gudrun gunhild gustav gwen gwendolyn hakan halina hamid hanna hedvig helga henrietta
hilda hilde hiroko horatio idris igor ilya imogen inga ingeborg irma isadora ivo jacques jadwiga janne jarmila
jeroen joachim jolanta jonna jorge josefina josephine jovan judit julius jurgen kaja karina karolina kasper
katja katarina kieran klara kristina kristof kristian ksenia kurt larisa laszlo leila lena leopold liana lidia
liesel lina lisbeth lorenza lotta louisa lucien ludovic ludwig luise lukas lyudmila madeleine magda magnus
malin manfred marcela marek margit marguerite marianne mariusz marisa marit marlene marta mathilde matthias
maximilian melina mercedes michaela mikhail milena milos mirela mirko moira morten
nadezhda natasja nikita nikolaj noelle norbert odile olena oleksandr oliwia ondrej orsolya
oskar otto pablo pascale patrizia pavla pelle petra philippa pia piet radek radoslav rainer rasmus regina reinhard
rosalind rudolf ruta sabina salome samira saskia selma severin sibylle sigmund silja
simona slavomir sofie soren stanislav sven sybille tadeusz tatjana terence terrence teodor theodor therese
tilda tobias tomasz torsten ulla ulrich ulrike valentin valeria vanessa vasily veronika viktoria vilma vincenzo vitaly
vsevolod waldemar walther werner wilhelm wilhelmina wojciech xavier yaroslav yelena yevgeny yolanda yuliya yusuf zbigniew
zofia zora zuzana
adaeze adebayo afua akua amadou aminata babajide chiamaka chioma chukwuma dayo folake ifeoma ikechukwu kehinde
kojo kunle mamadou moussa nkechi obinna olumide oumar seun taiwo yetunde
aiko chie emi haruki hideki hiroki kaori kazuko kotaro mariko masato michiko noriko reiko shinichi sayuri takeshi
tomoko yasuko yoko yoshiro yuji yumi
binh cuong giang hanh hieu khanh ngoc phuong quang quynh thanh tien trung vinh xuan
guang jian jiayi jiahui lihua meiling peng qing rui xiaolong xiu zhen zhi
hamza hussain imran irfan junaid kamran nadeem naveed rizwan shahid usman zubair ayesha farah hina mehwish
sana saima shazia
abhishek akash amitabh anand anupam ashok bhavna chetan dinesh gaurav harish hemant jayant kiran lalit mahesh
mukesh naresh nikhil nitin pankaj pradeep rakesh ritu sachin sandeep sanjeev shweta sumit swati tanvi uday vandana
varun vinod yash
adriano afonso agostinho alcides amadeo anselmo aurelio baltasar benedito caetano celso cristiano custodio damiao
edson elisio estevao fabricio gilberto horacio ivo jacinto jeronimo lourenco marcelo mauricio moises nelson octavio
osvaldo reinaldo renato rogerio silvio teodoro ulisses valter wagner
adela alejandra araceli azucena estela eulalia fabiola graciela imelda
inmaculada maite marisol noemi perla rocio veronica ximena yolanda
`;

/**
 * More English given names, written for this project: a second tier. Alone, without a surname
 * or a person cue, they do not make a name (they are the usual story characters of word problems
 * and fiction); with a surname, a cue, an initial or in a lower-case text they count like the
 * first list.
 */
const RAW_MORE = `
abby abe ada adele adrienne agnes aidan aiden alana alberto albin alec alfred alfredo alicia alison allison alvin amos
angel angie anton april arnold ashlee ashton audrey avery barry becky ben bennett bernadette bernice bert beth bethany
betsy beverley bianca bonnie brad bradley brady brendan brett bridget brooke bryce caitlin caleb calvin cameron candace
carina carla carlton carmen carol caroline carrie casey cassandra cecil chelsea cheyenne chris christa christy clara
clarence claudia clifford clint clyde cole colleen connie conrad constance cora corey cornelius courtney craig crystal
curtis cynthia daisy dale dallas damon dan daniela danny daphne darius darla darrell daryl dave davis dawn deanna debbie
delia della derek derrick desiree devin dexter diego dina dolly dominic don donovan dora doreen dorian doug duane dustin
dwight earl ed eddie edgar edith edna edwin eileen elaine eleanor elena eli elijah ella ellen elliot elliott elmer eloise
elsie elton elvis emanuel emerson emilia emmett enid ernest ernestine esmeralda estelle esther ethel eugene eunice eve
everett ezra fay felicia fern floyd forrest francine francis freddy frederick gail garrett gene geoffrey georgia
geraldine gideon gilbert ginger gladys glenda glenn gloria gordon greg gretchen gwen hank harlan harriet harvey hazel
heath hector heidi herman hilary hollis homer howard hubert ida imogen ira irma isaac isabel isaiah ivy jackie jacob
jaime jake jamal jamie jane janelle janet janine jared jarrett jasmine jay jayden jayne jeanette jeanne jeff jenna jenny
jerome jessie jill jim jimmy joan joanna jocelyn jodi joel joey johanna johnny jon jonah josh joy juan judith julian
julianne june justine kaitlyn kara karl kate kathy katrina kay kayden keith kelsey ken kendra kenny kerry kim kirk kris
kristen kristi kristin kristy kurt lacey lance lara leah lenny leona leroy leslie lester lewis lila lillian lincoln
lindsey lionel lisa liz lloyd lois lola lonnie loretta lorraine lou louisa lucille lucinda luther lydia lyle lynn
mabel mack madeline mae maggie malcolm mandy marc marcia margo marian marion marjorie marlene marshall marvin maureen
maxine melanie melinda melody melvin mercy meredith micah mildred miles millie milton mindy miranda misty mitchell moses
muriel myra myrtle nadine nancy naomi nell nellie nettie nick nicky noel nolan norma norman olive opal otis owen pam
pearl peggy penelope percy perry phoebe phyllis preston priscilla quentin quinn rachael ralph randall reba reggie regina
rene rex rhonda ricky rita robbie robin rodney roland ron ronnie rosalind rosemary ross rowan roxanne russ ruth sabrina
sadie sally sam sammy sandy savannah seth shana shannon sharon shawn sheila shelby shelley sheldon sherry sidney silas
sonia sonya spencer stacey stan stanley stella sterling stu sybil sylvia tabitha tammy tanya tara ted teddy terence
terri thelma theo theodore tia tiffany toni tony tracey tracy travis tristan trudy ty tyrone ursula valerie vance
vaughn vern vernon vicki vickie vince viola violet virgil wade wallace walt wanda warren wendell wendy wesley wilbur
wilfred wilma winifred winston wyatt yvette yvonne zachary zack zoe zoey
abel agnes alex alexa alicia alma antonia ariana beatrix benedict bert bridget celia christel clara cornelia damien edith erika esther felicity florence gavin giselle harriet heidi herbert jasper jon lana leif louise luisa marcel maurice melanie miriam nadia natasha nina nora olaf randi renata roxanne sabrina serena stella susana
`;

/** Lowercase given names, diacritics stripped (compare with `foldName`). */
export const FIRST_NAMES: ReadonlySet<string> = new Set(RAW.split(/\s+/).filter((w) => w.length > 1));
/** Second-tier given names (RAW_MORE) not in FIRST_NAMES, same form. */
export const MORE_FIRST_NAMES: ReadonlySet<string> = new Set(RAW_MORE.split(/\s+/).filter((w) => w.length > 1 && !FIRST_NAMES.has(w)));

/** Given names that are also common words or months; they need a surname or a context phrase. */
export const AMBIGUOUS_NAMES: ReadonlySet<string> = new Set([
  'may', 'june', 'april', 'august', 'will', 'mark', 'bill', 'grace', 'hope', 'joy', 'rose', 'faith',
  'summer', 'dawn', 'art', 'jack', 'frank', 'max', 'rich', 'ray', 'sue', 'pat', 'don', 'guy', 'li', 'yu',
  'jun', 'min', 'ji', 'woo', 'young', 'eun', 'soo', 'sung', 'bo', 'tao', 'lei', 'jie', 'ming', 'hong',
  'fang', 'yan', 'lan', 'mai', 'anh', 'duc', 'amber', 'ruby', 'iris', 'olive', 'lily', 'poppy', 'sky',
  'christian', 'per', 'tim', 'jan', 'sem', 'saga', 'liv', 'vera', 'ama', 'rin', 'mei', 'ann', 'jean', 'dean',
  'luke', 'roy', 'bobby', 'willie', 'noor', 'angel', 'eve', 'carol', 'miles', 'gene', 'heath', 'lance', 'mercy', 'misty',
  'ginger', 'crystal', 'pearl', 'violet', 'daisy', 'hazel', 'ivy', 'fern', 'opal', 'robin', 'rowan', 'sterling', 'sandy',
  'dale', 'dallas', 'lincoln', 'georgia', 'savannah', 'homer', 'jay', 'rex', 'earl', 'wade', 'kay', 'tony', 'vance', 'cole',
  'tone', 'rune', 'ola', 'ole', 'hank', 'sam', 'stan', 'ted', 'chris', 'kim', 'lynn', 'ken', 'lou', 'mae', 'nell', 'ira',
  'reba', 'ty', 'vern', 'kris', 'sally', 'teddy', 'penny', 'forrest', 'percy', 'nick', 'marshall', 'norman', 'spencer',
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
andou ando hirai hirayama ichikawa igarashi iida imamura inagaki isobe iwamoto iwata kagawa kamata kaneda kawaguchi
kawakami kawamura kawasaki kishimoto kitamura kojima komatsu kono kubota kurata kuroda machida masuda matsumura
miyake mizuno mochizuki morimoto murai nagai nagano naito nakai narita nishida nishikawa noda nomoto oda ohashi
okabe okuda omura osawa otani ozawa sakaguchi sakata sawada sekine shimada shimizu sugita suzuki tachibana tajima
takano takayama takemoto tamaki tanabe terada toyoda tsuchiya tsuda uchiyama umeda wakabayashi yagi yamane yano
yasuda yoshikawa yoshimura
kastner kleist gottschalk mauer ahrens albers baumgartner bischoff brandt brenner buchholz dietz ebert eckert
engelhardt falk fiedler fink forster frey gerber giese goebel grimm grosse haag hansen harms hecker heinz
heller henke herzog hesse hinz hoppe hubner jahn janssen kahl kessler kirchner kluge knoll kopp kuhn kunz lenz
lindner lutz marx menzel metz mohr moser nagel naumann noack oswald pape petzold pohl preuss rau reuter
riedel ritter rohde sachs schade scherer schlegel schott schwab seifert siebert sieg staub steiner strauss
thiel ulrich unger voss walther wendt wenzel westphal wiegand wilke witt zander zimmer
portillo rangel godina meza acuna alarcon arellano arroyo avalos barajas bautista bermudez bustamante cardona
carrasco cazares ceballos cisneros davila escobar esparza espinosa esquivel estrada fajardo galindo gallegos
gamez garza godoy granados guajardo guevara ibarra jaramillo lara leyva lozano luevano madrigal magana maldonado
marroquin mata mejia miramontes montemayor montes mora muniz nava olivares orozco osorio pacheco palacios
quintana quintero rangel renteria rincon robledo saenz salazar salcedo salinas sandoval segura sepulveda serna
tapia trevino urias valadez valdes vallejo varela vela velazquez villalobos villanueva villegas zamora zapata
nummelin ruoho aalto ahola anttila eskola hakala halonen hiltunen hirvonen holmstrom hyvonen ikonen jaaskelainen
kallio kangas karppinen kauppinen kettunen kivela koivisto koponen kurki laakso lahti lampinen leino lindholm
manninen markkanen miettinen mustonen nurmi oksanen pelto peltonen pitkanen rasanen riihimaki saari seppala
sirola suominen tikkanen toivonen valtonen vesterinen
lantos marcil ross holloway rocher bouwmeester desrosiers gagnon bouchard cote gauthier pelletier bergeron leblanc
lavoie fortin ouellet tremblay
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

/**
 * Surname endings that are rare outside family names: Slavic patronymic and place-derived forms
 * (-ović, -ov, -eva, -enko, -ski), Nordic (-sson, -dóttir, -nsen), Finnish (-inen), Romanian
 * (-escu), Greek (-poulos, -akis, -idis), Turkish (-oğlu), Georgian (-shvili, -dze), Armenian
 * (-yan), Baltic (-aitis, -auskas), German and Jewish (-mann, -stein, -berg), Swedish compounds
 * (-ström, -qvist, -gren), Persian (-zadeh) and Spanish (-ez). Matched on the lower-cased word.
 */
const SHAPE = /(?:ović|ević|vić|ovic|evic|ovich|evich|[^aeiou][ao]v|[^aeiou]ev|[^aeiou]iev|yev|(?:[^n]|[^a]n)ova|[^n]eva|enko|chuk|yuk|[a-z]sky|skiy|skaya|[a-z]ski|[a-z]ska|[a-z]cki|[a-z]cka|wicz|czyk|czak|escu|eanu|poulos|opoulou|akis|idis|oglu|oğlu|shvili|dze|[a-z]yan|sson|dóttir|dottir|[nrl]sen|ssen|inen|änen|[a-z]mann|stein|berg|ström|strom|qvist|kvist|quist|gren|zadeh|aitis|auskas|avičius|evičius|ová|[aeiuo]rez|[aeiuo]nez|[aeiuo]lez|[aeiuo]quez|[aeiuo]guez)$/;
/** Words with those endings that are places, things or common words, not surnames. */
const NOT_SHAPED = new Set([
  'kiev', 'rostov', 'kharkov', 'saratov', 'tambov', 'pskov', 'azov', 'lviv', 'geneva', 'moldova', 'padova', 'supernova', 'villanova',
  'casanova', 'alaska', 'nebraska', 'athabaska', 'husky', 'whisky', 'essen', 'lesson', 'maelstrom', 'heidelberg', 'nuremberg',
  'wittenberg', 'konigsberg', 'iceberg', 'liechtenstein', 'frankenstein', 'holstein', 'improv', 'molotov', 'linen', 'libyan',
  'kenyan', 'mariinsky', 'cordova', 'genova', 'jerez', 'suez', 'karlova', 'cracov', 'tetov',
]);
/** Whether a capitalised word (any case) has a surname ending and is not a known exception. */
export function surnameShaped(word: string): boolean {
  if (word.length < 5) return false;
  const l = word.toLowerCase();
  return SHAPE.test(l) && !NOT_SHAPED.has(foldName(l));
}

// A bitmap of hashes of every listed word (given names of both tiers, surnames, ambiguous ones),
// so that a word can be ruled out without slicing it from its text: most capitalised words and
// nearly all lower-case words are in no list.
const NAME_HASH_BITS = 16;
const NAME_HASH_MASK = (1 << NAME_HASH_BITS) - 1;
const NAME_BITMAP = new Uint8Array(1 << NAME_HASH_BITS);
const hashStep = (h: number, c: number): number => (Math.imul(h, 33) + c) | 0;
for (const set of [FIRST_NAMES, MORE_FIRST_NAMES, AMBIGUOUS_NAMES, SURNAMES, AMBIGUOUS_SURNAMES]) {
  for (const w of set) {
    let h = 5381;
    for (let i = 0; i < w.length; i++) h = hashStep(h, w.charCodeAt(i));
    NAME_BITMAP[h & NAME_HASH_MASK] = 1;
  }
}

/**
 * Whether the word text[start, end) may be in a name list: false only for a word of ASCII letters
 * (and apostrophes, hyphens) whose lower-cased hash is no listed word's. Other words say true.
 */
export function maybeListed(text: string, start: number, end: number): boolean {
  let h = 5381;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128) return true;
    h = hashStep(h, c >= 65 && c <= 90 ? c + 32 : c);
  }
  return NAME_BITMAP[h & NAME_HASH_MASK] === 1;
}

/** Last two letters (lower case) of the SHAPE endings, as c1 * 65536 + c2. */
const SHAPE_TAILS = new Set(
  'ić ic ch av ov ev va ko uk ky iy ya ki ka cz yk ak cu nu os ou is lu li ze an on ir en nn in rg öm om st eh as us vá ez'
    .split(' ')
    .map((t) => t.charCodeAt(0) * 65536 + t.charCodeAt(1)),
);
const lowerCode = (c: number): number => (c >= 65 && c <= 90 ? c + 32 : c < 128 ? c : String.fromCharCode(c).toLowerCase().charCodeAt(0));

/** surnameShaped for text[start, end), with a cheap test of its last two letters first. */
export function surnameShapedAt(text: string, start: number, end: number): boolean {
  if (end - start < 5) return false;
  if (!SHAPE_TAILS.has(lowerCode(text.charCodeAt(end - 2)) * 65536 + lowerCode(text.charCodeAt(end - 1)))) return false;
  return surnameShaped(text.slice(start, end));
}
