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
