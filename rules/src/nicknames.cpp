// The project's own table of given names and their nicknames / short forms, written from general
// knowledge (English usage first, then a few common Russian, German, Spanish, Italian and Arabic
// familiar forms that are unmistakably the same name). Each line: "canonical: nick nick ...".
// A nickname may belong to several canonical names ("al": albert, alfred, alan, alexander).
// Spelling variants that the phonetic key already joins (mohammed/muhammad) need no entry.
#include <algorithm>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crosscheck/rules/name_similarity.h"

namespace crosscheck::rules {
namespace {

constexpr std::string_view kTable[] = {
    // --- men
    "aaron: ron ronnie ronny",
    "abraham: abe abram bram",
    "adam: ad addie",
    "adolph: adolf dolph",
    "adrian: ade",
    "albert: al bert bertie albie",
    "alan: al allan allen",
    "alexander: alex al alec alek sandy sasha sascha xander lex alexandr aleksandr sandro alessandro alejandro",
    "alexis: alex lexi",
    "alfred: al alf alfie fred freddie freddy",
    "alonzo: lon lonnie alonso",
    "alvin: al vin vinny",
    "ambrose: brose",
    "andrew: andy drew andre andreas andrei andrey andres andrea",
    "anthony: tony ant antony anton antonio antoine",
    "archibald: archie archy baldie",
    "arnold: arnie arny",
    "arthur: art artie",
    "augustus: gus augie august augustine",
    "barnabas: barney barnaby",
    "bartholomew: bart bartel bat",
    "benedict: ben benny bennie",
    "benjamin: ben benny bennie benji benjy",
    "bernard: bernie barney bern",
    "bertram: bert bertie",
    "bradley: brad",
    "brian: bri",
    "calvin: cal",
    "cameron: cam",
    "casimir: casey kasimir",
    "cecil: cece",
    "charles: charlie chuck chas chaz chip carl carlos karl karel charley",
    "christian: chris kris christy",
    "christopher: chris kit topher kris chrissy christoph cristobal",
    "clarence: clare clarry",
    "clement: clem",
    "clifford: cliff",
    "clinton: clint",
    "conrad: connie con konrad kurt",
    "cornelius: con neil neely corny",
    "curtis: curt",
    "cyrus: cy",
    "daniel: dan danny dannie dani",
    "david: dave davey davie davy dai",
    "dennis: denny den denis",
    "derek: rick ricky derrick",
    "dominic: dom nick dominik domenico",
    "donald: don donnie donny",
    "douglas: doug dougie",
    "duncan: dunc",
    "dwight: ike",
    "earnest: ernie ernst ernest",
    "edgar: ed eddie eddy ned",
    "edmund: ed eddie eddy ned ted edmond",
    "edward: ed eddie eddy ned ted teddy ward eduard eduardo edouard",
    "edwin: ed eddie eddy ned win",
    "elias: eli",
    "elijah: eli lige",
    "emanuel: manny manuel immanuel emmanuel",
    "eric: rick ricky erik",
    "eugene: gene",
    "ezekiel: zeke",
    "ferdinand: ferdie fred ferdy fernando",
    "francis: frank frankie fran franny frannie francisco francois franz",
    "franklin: frank frankie",
    "frederick: fred freddie freddy rick fritz friedrich federico",
    "gabriel: gabe gabby",
    "geoffrey: geoff jeff",
    "gerald: gerry jerry",
    "gerard: gerry jerry",
    "gilbert: gil bert",
    "gregory: greg gregg grigory grigori",
    "harold: hal harry",
    "henry: hank hal harry hen heinrich enrique enrico henri",
    "herbert: herb herbie bert",
    "herman: hermie",
    "howard: howie",
    "hubert: hugh bert",
    "hugh: hughie hugo",
    "isaac: ike zack",
    "isidore: izzy",
    "jacob: jake jack jay jakob",
    "james: jim jimmy jimmie jamie jem diego jaime",
    "jasper: jas",
    "jeffrey: jeff",
    "jeremiah: jerry jeremy",
    "jeremy: jerry jem",
    "jerome: jerry",
    "john: jack johnny jon jonny hans johann johannes jan juan giovanni jean sean ian",
    "jonathan: jon jonny nathan jonty",
    "joseph: joe joey jo jos jose giuseppe josef",
    "joshua: josh",
    "julius: jules",
    "kenneth: ken kenny",
    "laurence: larry lawrie laurie lorne",
    "lawrence: larry laurie lawrie lorenzo",
    "leonard: len lenny leo leon",
    "leopold: leo poldi",
    "lewis: lou louie lew",
    "louis: lou louie lewis luis luigi ludwig",
    "lucas: luke",
    "luke: lucas luca",
    "malcolm: mal",
    "marcus: marc mark",
    "martin: marty mart",
    "matthew: matt matty mat mathew",
    "maurice: morris mo",
    "maximilian: max maxi",
    "michael: mike mikey mick micky mickey mitch michel mikhail miguel michele misha",
    "mitchell: mitch",
    "montgomery: monty",
    "morris: mo",
    "moses: moe mo moshe musa",
    "nathan: nate nat",
    "nathaniel: nat nate nathan natty",
    "nicholas: nick nicky nico nicolas nikolai nikolay niklas klaus claus kolya",
    "oliver: ollie olly noll",
    "oscar: ossie",
    "oswald: ozzie oz",
    "patrick: pat paddy patsy rick",
    "paul: pablo paolo pavel pasha",
    "peter: pete pietro pedro pierre pyotr petr",
    "philip: phil pip felipe filippo",
    "raymond: ray",
    "reginald: reg reggie rex",
    "richard: dick rick ricky rich richie ricardo ricciardo",
    "robert: bob bobby rob robbie bert bobbie robin roberto",
    "roderick: rod roddy rick",
    "rodney: rod",
    "roger: rodge",
    "ronald: ron ronnie ronny",
    "rudolph: rudy rudi rolf rudolf",
    "russell: russ rusty",
    "samuel: sam sammy",
    "samson: sam",
    "sebastian: seb bastian",
    "sidney: sid syd",
    "simon: si",
    "solomon: sol solly sulaiman suleiman sulayman",
    "stanley: stan",
    "stephen: steve stevie steph steven stefan stephan esteban stepan",
    "steven: steve stevie stephen",
    "stuart: stu stewart",
    "sylvester: sly syl vester",
    "terence: terry",
    "theodore: ted teddy theo",
    "thomas: tom tommy thom tomas",
    "timothy: tim timmy",
    "tobias: toby",
    "valentine: val",
    "victor: vic vick",
    "vincent: vince vinny vinnie vin",
    "walter: walt wally",
    "wesley: wes",
    "wilfred: will willie fred wilf",
    "william: bill billy will willy willie liam wilhelm guillermo guillaume",
    "winston: win winnie",
    "zachary: zach zack zak",
    "alphonso: al alf fonzie alfonso alphonse",
    "alistair: ali alec alasdair",
    "angus: gus",
    "augustine: gus austin augie",
    "baldwin: baldy win",
    "barry: baz",
    "basil: baz",
    "bartholomew: bart barty",
    "benedict: bennett",
    "bernard: bernd",
    "broderick: brody rick",
    "cedric: ced",
    "chester: chet",
    "clayton: clay",
    "columbus: lum",
    "cuthbert: cuddy bert",
    "cyril: cy",
    "delbert: del bert",
    "desmond: des dez",
    "dudley: dud",
    "ebenezer: eb eben",
    "edmund: eddy",
    "elbert: bert el",
    "eldridge: el",
    "elmer: el",
    "emmett: em",
    "ephraim: eph",
    "everett: ev",
    "ezra: ez",
    "fitzgerald: fitz",
    "gabriel: gabriele gavriil",
    "garrett: gary garry",
    "gary: gar",
    "gideon: gid",
    "godfrey: fred freddie",
    "gordon: gordie gordy",
    "graham: gray",
    "gustav: gus gustave gustavo",
    "hamilton: ham",
    "harrison: harry",
    "harvey: harv",
    "horace: horry",
    "humphrey: humph",
    "ignatius: iggy nate",
    "irving: irv",
    "jackson: jack jax",
    "jedediah: jed",
    "jefferson: jeff",
    "jerald: jerry",
    "jesse: jess",
    "joachim: joe achim",
    "jordan: jordy",
    "josiah: joe",
    "leroy: lee roy",
    "lester: les",
    "lincoln: linc",
    "lionel: leo",
    "marion: mary",
    "marvin: marv",
    "maxwell: max",
    "melvin: mel",
    "mervyn: merv",
    "mortimer: mort morty",
    "napoleon: nap nappy",
    "nelson: nels",
    "norman: norm",
    "obadiah: obie",
    "orville: orv",
    "percival: percy perce",
    "phineas: finn",
    "quentin: quinn",
    "randolph: randy dolph",
    "randall: randy",
    "reuben: rube ruben",
    "roland: rollie roly orlando",
    "ronald: ronaldo",
    "rufus: ruff",
    "salvatore: sal",
    "sanford: sandy",
    "seymour: sy",
    "sheldon: shel",
    "sherman: sherm",
    "silas: si",
    "spencer: spence",
    "sylvester: silvester",
    "thaddeus: thad tad",
    "tobias: tobiah",
    "tyrone: ty",
    "ulysses: lyss",
    "vernon: vern",
    "virgil: virg",
    "wallace: wally",
    "warren: war",
    "wendell: dell",
    "wilbur: will willie",
    "woodrow: woody",
    "zebedee: zeb",
    "zechariah: zach zack",
    // Russian / Slavic familiar forms
    "aleksei: alyosha lyosha alexei alexey aleksey",
    "anatoly: tolya",
    "boris: borya",
    "dmitri: dima mitya dmitry dmitriy",
    "evgeny: zhenya yevgeny yevgeniy evgeni",
    "fyodor: fedya fedor",
    "grigory: grisha",
    "ivan: vanya",
    "konstantin: kostya",
    "mikhail: misha",
    "nikolai: kolya",
    "pavel: pasha",
    "sergei: seryozha serezha sergey",
    "vladimir: volodya vova",
    "vyacheslav: slava",
    "yaroslav: slava",
    "yuri: yura",
    "vasily: vasya",
    "stanislav: stas",
    // Arabic familiar forms and common short forms
    "mohammed: mohd muhd mohamed muhammad mohammad mo hamoudi",
    "abdullah: abdallah abdulla",
    "abdulrahman: abdelrahman abdurrahman",
    "ibrahim: ebrahim",
    "yusuf: youssef yousef joseph",
    "suleiman: sulaiman solomon",
    "ismail: ishmael",
    "yaqub: yacoub jacob",
    "musa: moses",
    "daoud: dawood dawud david",
    "maryam: mariam miriam mary",
    // --- women
    "abigail: abby abbie gail",
    "adelaide: addie della heidi",
    "agatha: aggie",
    "agnes: aggie nessa nessie",
    "alberta: bertie",
    "alexandra: alex alexa sandra sandy lexie sasha sandi",
    "alice: allie ally lissie alicia",
    "alison: ali allie",
    "amanda: mandy manda",
    "amelia: millie amy emily",
    "angela: angie",
    "ann: annie nan nancy nannie anna anne hannah",
    "anna: ann annie anya",
    "antoinette: toni netta",
    "antonia: toni tonia",
    "arabella: bella belle",
    "barbara: barb barbie babs bobbie",
    "beatrice: bea trixie bee",
    "belinda: linda belle",
    "bernadette: bernie detta",
    "bertha: bertie",
    "bridget: biddy bridie bree",
    "camilla: millie cammie",
    "carol: carrie caroline",
    "caroline: carrie carol callie lina",
    "catherine: cathy cat kate katie kathy kay kit kitty cate katy cathleen kathleen katya katerina ekaterina",
    "cecilia: celia cissy cissie",
    "charlotte: charlie lottie lotte char",
    "christina: chris chrissy tina kris kristina kristin christine",
    "christine: chris chrissy tina kris christina",
    "clara: clare",
    "constance: connie",
    "cynthia: cindy",
    "deborah: deb debbie debby debra",
    "diana: di diane",
    "dolores: lola dee",
    "dorothy: dot dottie dolly dora dorothea",
    "eleanor: ellie nell nellie nora elle elinor leonora",
    "elena: lena yelena helen",
    "elisabeth: elizabeth",
    "elizabeth: liz lizzie lizzy beth betty bess bessie betsy eliza elsie libby lisa liza elisabeth elise ellie isabel",
    "ellen: ellie nell nellie",
    "emily: em emmy millie emilie emilia",
    "emma: em emmy",
    "esther: essie hester",
    "eugenia: gene genie",
    "eva: eve evie",
    "evelyn: evie eve lyn",
    "florence: flo flossie floss",
    "frances: fran frannie franny fanny frankie",
    "frederica: freda freddie",
    "gabrielle: gaby gabby gabi",
    "georgina: georgie gina",
    "geraldine: gerry geri dina",
    "gertrude: gertie trudy trudi",
    "gwendolyn: gwen wendy",
    "harriet: hattie hatty",
    "helen: nell nellie lena ellie elena",
    "henrietta: etta hetty hattie",
    "isabel: bella belle izzy isabella isobel",
    "isabella: bella belle izzy isabel",
    "jacqueline: jackie jacky",
    "jane: jenny jenni janie jean",
    "janet: jan jenny",
    "jennifer: jen jenny jenni jennie",
    "jessica: jess jessie",
    "joan: joanie",
    "josephine: jo josie jojo",
    "judith: judy jude",
    "julia: jules julie",
    "katherine: kate katie kathy kath kay kitty cathy katy",
    "kimberly: kim kimmy",
    "laura: laurie lori",
    "louisa: lou lulu louise",
    "louise: lou lulu louisa",
    "lucinda: lucy cindy",
    "lydia: liddy",
    "madeline: maddie maddy madge madeleine",
    "margaret: maggie meg peggy marge margie greta gretchen daisy madge maisie margo margot rita",
    "maria: mary marie masha",
    "marjorie: marge margie",
    "martha: marty mattie patty",
    "mary: molly polly mae mamie maria marie may",
    "matilda: tilly tillie mattie maud",
    "melissa: mel missy lissa",
    "mildred: millie",
    "miriam: mimi mitzi",
    "nancy: nan",
    "natalia: natasha nata natalie natalya",
    "nicole: nicky nikki",
    "olivia: liv livvy ollie",
    "olga: olya",
    "pamela: pam",
    "patricia: pat patty patsy tricia trish",
    "penelope: penny",
    "philippa: pippa pip",
    "priscilla: cilla prissy",
    "rebecca: becky becca reba",
    "rosalind: roz",
    "rosemary: rosie rose",
    "samantha: sam sammy",
    "sarah: sally sadie sara",
    "sophia: sophie",
    "stephanie: steph stephie stevie",
    "susan: sue susie suzy suzie susanna susannah",
    "svetlana: sveta",
    "tatiana: tanya tatyana",
    "teresa: terry tess tessa tessie tracy theresa",
    "valerie: val",
    "veronica: ronnie nica",
    "victoria: vicky vicki tori",
    "virginia: ginny ginger",
    "vivian: viv",
    "wilhelmina: mina minnie willa",
    "winifred: winnie freda",
    "yekaterina: katya ekaterina",
    "zoe: zoey",
    "adeline: addie",
    "adrienne: adie",
    "alberta: allie",
    "alexandria: alex",
    "alfreda: freda freddie alfie",
    "almira: myra",
    "amanda: amy",
    "anastasia: stacy stacey ana nastya tasia",
    "andrea: andie",
    "angelica: angie",
    "annabelle: anna bella",
    "april: apryl",
    "augusta: gussie",
    "belinda: linda",
    "benedicta: benny",
    "bernice: bernie",
    "beverly: bev",
    "brenda: bren",
    "caitlin: kate cat",
    "candace: candy",
    "carlotta: lotta lottie",
    "carolyn: carrie lyn",
    "cassandra: cassie sandy",
    "celeste: lessie",
    "charlene: charlie",
    "cheryl: cher",
    "christabel: chris christy",
    "clementine: clem",
    "cordelia: delia cordy",
    "cornelia: nelly nellie corny",
    "danielle: dani",
    "delores: dee lola",
    "denise: dee",
    "dorothea: dora thea",
    "edith: edie",
    "edna: eddie",
    "eileen: ellie",
    "elaine: lainie",
    "eliza: liza",
    "elvira: elvie",
    "emmaline: emma em",
    "estelle: stella",
    "ethel: ettie",
    "eudora: dora",
    "felicity: flick",
    "fredericka: freddie",
    "georgia: georgie",
    "gloria: glory",
    "gwendolyn: gwenda",
    "hannah: anna nan",
    "helena: lena",
    "hortense: hortie",
    "ida: idy",
    "irene: renie",
    "jacqueline: jacqui",
    "janice: jan",
    "jeanette: jean netta",
    "jemima: mima",
    "joanna: jo joanne",
    "johanna: jo hanna",
    "josephine: josefina",
    "juliet: jules",
    "justina: tina",
    "kathleen: kathy kath",
    "kristen: kris",
    "leonora: nora leonie",
    "lillian: lil lily lilly",
    "lorraine: lori",
    "loretta: retta lettie",
    "lucille: lucy lu",
    "lucy: lu",
    "mabel: mae",
    "madeleine: madge",
    "magdalena: magda lena maggie",
    "marcia: marcie",
    "margery: margie",
    "marianne: mary anne",
    "marilyn: mary lyn",
    "melanie: mel",
    "melinda: mindy linda",
    "mercedes: sadie",
    "michelle: shelly shelley mich",
    "millicent: millie",
    "minerva: minnie",
    "miranda: randy mandy",
    "myrtle: myrt",
    "nadezhda: nadya",
    "natalie: nat",
    "nora: norah",
    "octavia: tavia",
    "ophelia: phelia",
    "pauline: polly",
    "philomena: mena",
    "phyllis: phyl",
    "prudence: prudy prue",
    "rachel: rae",
    "regina: gina reggie",
    "roberta: bobbie robbie berta",
    "rosalie: rose",
    "rosalyn: roz",
    "roxanne: roxy",
    "ruth: ruthie",
    "sabrina: brina",
    "sandra: sandy sandi",
    "selina: lina",
    "serena: rena",
    "sharon: shari",
    "sheila: sheil",
    "sophronia: sophie",
    "stephanie: stephie",
    "sybil: sib",
    "tabitha: tabby",
    "temperance: tempe",
    "theodora: dora teddy",
    "theresa: tess tessa terry",
    "thomasina: tommy",
    "ursula: sula",
    "vanessa: nessa",
    "vera: verie",
    "wilhelmina: billie",
    "yvonne: vonnie",
    "zenobia: zena",
    // --- Korean surnames: the romanisations one surname is written in (name_tokens gives the
    // first form for Hangul). Not nicknames, but the same kind of equivalence.
    "lee: yi rhee rhie ri",
    "park: pak bak pack",
    "choi: choe chey",
    "kang: gang",
    "kwon: gwon",
    "noh: roh",
    "ryu: yu yoo rhyu",
    "lim: im rim",
    "shin: sin",
    "ko: go koh",
    "koo: gu ku",
};

struct Table {
  std::unordered_map<std::string_view, std::vector<std::string_view>> by_token;
  // Spelling variants of the longer names (abbigail, katharine, jeffery) are found through the
  // phonetic key (see variant_key); short names are not, their keys are too crowded ("al",
  // "eli", "ali").
  std::unordered_map<std::string, std::vector<std::string_view>> by_key;
};

constexpr std::size_t kMinKeyedLength = 5;
constexpr std::size_t kMinKeyLength = 3;  // "mr" would join maria and mario

// The phonetic key drops vowels, which would join masculine and feminine forms (peter/petra,
// daniel/daniela, alessandro/alessandra): the key lookup also requires the same kind of ending.
char ending_class(std::string_view s) {
  switch (s.back()) {
    case 'a': return 'a';
    case 'o': return 'o';
    case 'u': return 'u';
    case 'e': case 'i': case 'y': return 'i';
    default: return '-';
  }
}

std::string variant_key(std::string_view token, std::string_view token_key) {
  if (token_key.size() < kMinKeyLength) return {};
  std::string key(token_key);
  key.push_back('|');
  key.push_back(ending_class(token));
  return key;
}
std::string variant_key(std::string_view token) { return variant_key(token, phonetic_key(token)); }

void add(Table& t, std::string_view token, std::string_view canonical) {
  auto& list = t.by_token[token];
  if (std::find(list.begin(), list.end(), canonical) == list.end()) list.push_back(canonical);
}

Table build() {
  Table t;
  for (std::string_view line : kTable) {
    const auto colon = line.find(':');
    const std::string_view canonical = line.substr(0, colon);
    add(t, canonical, canonical);
    std::string_view rest = line.substr(colon + 1);
    while (!rest.empty()) {
      const auto start = rest.find_first_not_of(" \n");
      if (start == std::string_view::npos) break;
      rest.remove_prefix(start);
      const auto end = std::min(rest.find_first_of(" \n"), rest.size());
      add(t, rest.substr(0, end), canonical);
      rest.remove_prefix(end);
    }
  }
  for (auto& [token, list] : t.by_token) std::sort(list.begin(), list.end());
  for (const auto& [token, list] : t.by_token) {
    if (token.size() < kMinKeyedLength) continue;
    std::string key = variant_key(token);
    if (key.empty()) continue;
    auto& keyed = t.by_key[std::move(key)];
    for (auto c : list) {
      if (std::find(keyed.begin(), keyed.end(), c) == keyed.end()) keyed.push_back(c);
    }
  }
  for (auto& [key, list] : t.by_key) std::sort(list.begin(), list.end());
  return t;
}

const Table& table() {
  static const Table t = build();  // the strings are literals: views stay valid
  return t;
}

}  // namespace

namespace {

// nickname_canonicals, with the token's phonetic key from `key_of()`, asked only for a token the
// table does not hold as it is.
template <typename KeyOf>
std::span<const std::string_view> canonicals(std::string_view token, KeyOf&& key_of) {
  const Table& t = table();
  if (const auto it = t.by_token.find(token); it != t.by_token.end()) return it->second;
  if (token.size() >= kMinKeyedLength) {
    if (const auto it = t.by_key.find(variant_key(token, key_of())); it != t.by_key.end()) return it->second;
  }
  return {};
}

}  // namespace

std::span<const std::string_view> nickname_canonicals(std::string_view token) {
  return canonicals(token, [&] { return phonetic_key(token); });
}

std::span<const std::string_view> nickname_canonicals(std::string_view token, std::string_view token_phonetic_key) {
  return canonicals(token, [&] { return token_phonetic_key; });
}

bool are_nicknames(std::string_view a, std::string_view b) {
  return share_nickname(nickname_canonicals(a), nickname_canonicals(b));
}

bool share_nickname(std::span<const std::string_view> ca, std::span<const std::string_view> cb) {
  // Both lists are sorted: intersect.
  std::size_t i = 0, j = 0;
  while (i < ca.size() && j < cb.size()) {
    if (ca[i] == cb[j]) return true;
    if (ca[i] < cb[j]) ++i; else ++j;
  }
  return false;
}

}  // namespace crosscheck::rules
