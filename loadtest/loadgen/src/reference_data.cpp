#include "crosscheck/loadgen/reference_data.h"

#include <array>

namespace crosscheck::loadgen {

namespace {

using sv = std::string_view;

// ---- name parts: common given names and surnames per culture, as printed in passports (ASCII) --

constexpr sv kEnglishM[] = {"JAMES", "JOHN", "ROBERT", "MICHAEL", "WILLIAM", "DAVID", "RICHARD", "THOMAS", "DANIEL",
                            "MATTHEW", "ANDREW", "PAUL", "MARK", "GEORGE", "OLIVER", "HARRY", "JACK", "CHARLES",
                            "EDWARD", "SAMUEL"};
constexpr sv kEnglishF[] = {"MARY", "PATRICIA", "JENNIFER", "LINDA", "ELIZABETH", "SARAH", "EMMA", "OLIVIA",
                            "SOPHIE", "CHARLOTTE", "EMILY", "JESSICA", "LAURA", "HANNAH", "GRACE", "AMELIA",
                            "RACHEL", "KATHERINE"};
constexpr sv kEnglishS[] = {"SMITH", "JONES", "WILLIAMS", "TAYLOR", "BROWN", "DAVIES", "EVANS", "WILSON", "THOMAS",
                            "JOHNSON", "ROBERTS", "WALKER", "WRIGHT", "ROBINSON", "THOMPSON", "WHITE", "HUGHES",
                            "EDWARDS", "GREEN", "HALL", "WOOD", "HARRIS", "MARTIN", "JACKSON", "CLARKE", "MILLER",
                            "ANDERSON", "MOORE", "O'BRIEN", "MURPHY", "KELLY", "FITZGERALD", "MCDONALD", "CAMPBELL"};

constexpr sv kGermanM[] = {"LUKAS", "JONAS", "LEON", "FINN", "ELIAS", "PAUL", "FELIX", "MAXIMILIAN", "THOMAS",
                           "STEFAN", "MICHAEL", "ANDREAS", "JUERGEN", "KLAUS", "WOLFGANG", "MATTHIAS", "TOBIAS",
                           "FLORIAN", "SEBASTIAN", "UWE"};
constexpr sv kGermanF[] = {"ANNA", "LENA", "LEA", "HANNAH", "SOPHIE", "MARIE", "JULIA", "LAURA", "KATHARINA",
                           "SABINE", "PETRA", "MONIKA", "CLAUDIA", "ANDREA", "SUSANNE", "BIRGIT", "UTE", "HEIKE"};
constexpr sv kGermanS[] = {"MUELLER", "SCHMIDT", "SCHNEIDER", "FISCHER", "WEBER", "MEYER", "WAGNER", "BECKER",
                           "SCHULZ", "HOFFMANN", "SCHAEFER", "KOCH", "BAUER", "RICHTER", "KLEIN", "WOLF",
                           "SCHROEDER", "NEUMANN", "SCHWARZ", "ZIMMERMANN", "BRAUN", "KRUEGER", "HOFMANN",
                           "HARTMANN", "LANGE", "SCHMITT", "WERNER", "KRAUSE", "MEIER", "LEHMANN"};

constexpr sv kFrenchM[] = {"JEAN", "PIERRE", "MICHEL", "PHILIPPE", "ALAIN", "NICOLAS", "LUC", "LOUIS", "HUGO",
                           "GABRIEL", "ARTHUR", "JULES", "THOMAS", "ANTOINE", "MATHIEU", "JULIEN", "FRANCOIS",
                           "OLIVIER"};
constexpr sv kFrenchF[] = {"MARIE", "NATHALIE", "ISABELLE", "SYLVIE", "CATHERINE", "CAMILLE", "CHLOE", "MANON",
                           "LEA", "JULIETTE", "CLAIRE", "ELODIE", "AURELIE", "MARGAUX", "CELINE", "HELENE"};
constexpr sv kFrenchS[] = {"MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND",
                           "LEROY", "MOREAU", "SIMON", "LAURENT", "LEFEBVRE", "MICHEL", "GARCIA", "DAVID",
                           "BERTRAND", "ROUX", "VINCENT", "FOURNIER", "MOREL", "GIRARD", "ANDRE", "MERCIER",
                           "BONNET", "LAMBERT", "FONTAINE", "ROUSSEAU", "BLANC", "GUERIN"};

constexpr sv kDutchM[] = {"JAN", "PIETER", "DAAN", "SEM", "LUCAS", "MILAN", "BRAM", "THIJS", "JEROEN", "WOUTER",
                          "SANDER", "BAS", "RUTGER", "MAARTEN", "KOEN"};
constexpr sv kDutchF[] = {"EMMA", "JULIA", "SOPHIE", "TESS", "ANOUK", "FLEUR", "LISA", "SANNE", "ANNEKE", "INGE",
                          "MAARTJE", "FEMKE", "LOTTE"};
constexpr sv kDutchS[] = {"DE JONG", "JANSEN", "DE VRIES", "VAN DEN BERG", "VAN DIJK", "BAKKER", "JANSSEN",
                          "VISSER", "SMIT", "MEIJER", "DE BOER", "MULDER", "DE GROOT", "BOS", "VOS", "PETERS",
                          "HENDRIKS", "VAN LEEUWEN", "DEKKER", "BROUWER", "PEETERS", "MAES", "WILLEMS"};

constexpr sv kSpanishM[] = {"JOSE", "ANTONIO", "JUAN", "MANUEL", "FRANCISCO", "DAVID", "JAVIER", "CARLOS",
                            "MIGUEL", "ALEJANDRO", "PABLO", "SERGIO", "LUIS", "DIEGO", "ANDRES", "FERNANDO",
                            "JORGE", "RICARDO"};
constexpr sv kSpanishF[] = {"MARIA", "CARMEN", "ANA", "ISABEL", "LAURA", "LUCIA", "MARTA", "ELENA", "PAULA",
                            "SOFIA", "VALENTINA", "CAMILA", "DANIELA", "GABRIELA", "ROSA", "PILAR"};
constexpr sv kSpanishS[] = {"GARCIA", "RODRIGUEZ", "GONZALEZ", "FERNANDEZ", "LOPEZ", "MARTINEZ", "SANCHEZ",
                            "PEREZ", "GOMEZ", "MARTIN", "JIMENEZ", "RUIZ", "HERNANDEZ", "DIAZ", "MORENO",
                            "ALVAREZ", "MUNOZ", "ROMERO", "ALONSO", "GUTIERREZ", "NAVARRO", "TORRES", "DOMINGUEZ",
                            "VAZQUEZ", "RAMOS", "CASTRO", "ORTIZ", "RUBIO", "MOLINA", "DELGADO", "SUAREZ", "MEDINA"};

constexpr sv kItalianM[] = {"GIUSEPPE", "GIOVANNI", "ANTONIO", "MARIO", "LUIGI", "FRANCESCO", "ANGELO", "VINCENZO",
                            "PIETRO", "SALVATORE", "MARCO", "ANDREA", "ALESSANDRO", "LORENZO", "MATTEO", "DAVIDE"};
constexpr sv kItalianF[] = {"MARIA", "ANNA", "GIUSEPPINA", "ROSA", "ANGELA", "GIOVANNA", "TERESA", "LUCIA",
                            "FRANCESCA", "CHIARA", "GIULIA", "SARA", "ELENA", "ALESSIA", "FEDERICA"};
constexpr sv kItalianS[] = {"ROSSI", "RUSSO", "FERRARI", "ESPOSITO", "BIANCHI", "ROMANO", "COLOMBO", "RICCI",
                            "MARINO", "GRECO", "BRUNO", "GALLO", "CONTI", "DE LUCA", "MANCINI", "COSTA",
                            "GIORDANO", "RIZZO", "LOMBARDI", "MORETTI", "BARBIERI", "FONTANA", "SANTORO"};

constexpr sv kPortugueseM[] = {"JOAO", "JOSE", "ANTONIO", "FRANCISCO", "CARLOS", "PAULO", "PEDRO", "LUCAS",
                               "GABRIEL", "RAFAEL", "TIAGO", "RUI", "MIGUEL", "BRUNO", "THIAGO"};
constexpr sv kPortugueseF[] = {"MARIA", "ANA", "FRANCISCA", "ANTONIA", "ADRIANA", "JULIANA", "MARCIA", "FERNANDA",
                               "BEATRIZ", "INES", "MARIANA", "LETICIA", "LARISSA"};
constexpr sv kPortugueseS[] = {"SILVA", "SANTOS", "FERREIRA", "PEREIRA", "OLIVEIRA", "COSTA", "RODRIGUES",
                               "MARTINS", "JESUS", "SOUSA", "FERNANDES", "GONCALVES", "GOMES", "LOPES", "MARQUES",
                               "ALVES", "ALMEIDA", "RIBEIRO", "PINTO", "CARVALHO", "TEIXEIRA", "MOREIRA", "CORREIA",
                               "BARBOSA", "ARAUJO"};

constexpr sv kNordicM[] = {"ERIK", "LARS", "OLE", "ANDERS", "JOHAN", "NILS", "MAGNUS", "HENRIK", "KARL", "PER",
                           "BJORN", "SVEN", "MIKKEL", "JONAS", "MATTI", "JUHA", "MIKKO"};
constexpr sv kNordicF[] = {"ANNA", "KARIN", "INGRID", "KRISTIN", "ELIN", "MAJA", "ASTRID", "SIGRID", "LINNEA",
                           "FREJA", "IDA", "SOFIE", "HANNE", "LIV", "AINO", "SANNA"};
constexpr sv kNordicS[] = {"JOHANSSON", "ANDERSSON", "KARLSSON", "NILSSON", "ERIKSSON", "LARSSON", "OLSSON",
                           "PERSSON", "HANSEN", "JOHANSEN", "OLSEN", "LARSEN", "ANDERSEN", "PEDERSEN", "NIELSEN",
                           "JENSEN", "KORHONEN", "VIRTANEN", "MAKINEN", "NIEMINEN", "LINDQVIST", "BERG",
                           "HALVORSEN", "LINDBERG", "SORENSEN"};

constexpr sv kSlavicM[] = {"PIOTR", "KRZYSZTOF", "ANDRZEJ", "TOMASZ", "PAWEL", "JAN", "MICHAL", "MARCIN", "JAKUB",
                           "ADAM", "LUKASZ", "MATEUSZ", "PETR", "JIRI", "MARTIN", "ONDREJ"};
constexpr sv kSlavicF[] = {"ANNA", "MARIA", "KATARZYNA", "MALGORZATA", "AGNIESZKA", "BARBARA", "EWA",
                           "MAGDALENA", "JOANNA", "ZOFIA", "ALEKSANDRA", "JANA", "TEREZA", "LUCIE"};
constexpr sv kSlavicS[] = {"NOWAK", "KOWALSKI", "WISNIEWSKI", "WOJCIK", "KOWALCZYK", "KAMINSKI", "LEWANDOWSKI",
                           "ZIELINSKI", "SZYMANSKI", "WOZNIAK", "DABROWSKI", "KOZLOWSKI", "JANKOWSKI", "MAZUR",
                           "NOVAK", "SVOBODA", "DVORAK", "CERNY", "PROCHAZKA", "KUCERA", "HORAK"};

constexpr sv kDanubianM[] = {"LASZLO", "ISTVAN", "JOZSEF", "JANOS", "ZOLTAN", "GABOR", "ANDREI", "MIHAI", "ION",
                             "ALEXANDRU", "GHEORGHE", "VASILE", "BOGDAN"};
constexpr sv kDanubianF[] = {"ERZSEBET", "KATALIN", "ILDIKO", "ANDREA", "ZSUZSANNA", "ELENA", "IOANA", "MARIA",
                             "ANDREEA", "CRISTINA", "MIHAELA"};
constexpr sv kDanubianS[] = {"NAGY", "KOVACS", "TOTH", "SZABO", "HORVATH", "VARGA", "KISS", "MOLNAR", "NEMETH",
                             "FARKAS", "POPESCU", "IONESCU", "POPA", "STAN", "DUMITRU", "CONSTANTIN", "STOICA",
                             "GHEORGHIU"};

constexpr sv kGreekM[] = {"GEORGIOS", "DIMITRIOS", "KONSTANTINOS", "IOANNIS", "NIKOLAOS", "PANAGIOTIS",
                          "VASILEIOS", "CHRISTOS", "ATHANASIOS", "MICHAIL"};
constexpr sv kGreekF[] = {"MARIA", "ELENI", "AIKATERINI", "VASILIKI", "SOFIA", "ANGELIKI", "DIMITRA", "GEORGIA",
                          "IOANNA"};
constexpr sv kGreekS[] = {"PAPADOPOULOS", "PAPPAS", "OIKONOMOU", "GEORGIOU", "PAPADAKIS", "VASILEIOU", "NIKOLAOU",
                          "KARAGIANNIS", "MAKRIS", "DIMITRIOU", "ALEXIOU", "KONSTANTINIDIS"};

constexpr sv kTurkishM[] = {"MEHMET", "MUSTAFA", "AHMET", "ALI", "HUSEYIN", "HASAN", "IBRAHIM", "MURAT", "EMRE",
                            "BURAK", "YUSUF", "OMER", "CAN", "KEREM"};
constexpr sv kTurkishF[] = {"FATMA", "AYSE", "EMINE", "HATICE", "ZEYNEP", "ELIF", "MERVE", "ESRA", "OZLEM",
                            "DERYA", "SEVGI"};
constexpr sv kTurkishS[] = {"YILMAZ", "KAYA", "DEMIR", "SAHIN", "CELIK", "YILDIZ", "YILDIRIM", "OZTURK", "AYDIN",
                            "OZDEMIR", "ARSLAN", "DOGAN", "KILIC", "ASLAN", "CETIN", "KARA", "KOC", "KURT"};

constexpr sv kArabicM[] = {"MOHAMMED", "AHMED", "ALI", "OMAR", "KHALED", "YOUSSEF", "IBRAHIM", "HASSAN", "HUSSEIN",
                           "ABDULLAH", "MAHMOUD", "SAMI", "KARIM", "TAREK", "FAISAL", "NABIL", "RAMI", "ZIAD"};
constexpr sv kArabicF[] = {"FATIMA", "AISHA", "MARYAM", "NOUR", "LAYLA", "HANA", "SARA", "ZAINAB", "AMAL", "RANIA",
                           "LEILA", "SALMA", "DINA", "YASMIN"};
constexpr sv kArabicS[] = {"AL-SAYED", "HASSAN", "IBRAHIM", "MAHMOUD", "ABDEL-RAHMAN", "AL-HARBI", "AL-ZAHRANI",
                           "MANSOUR", "HADDAD", "KHALIL", "SALEH", "NASSER", "AZIZ", "HAMDAN", "SULTAN", "YOUSEF",
                           "BAKR", "FARES", "ISSA", "OTHMAN", "EL-AMIN", "BENNANI", "CHERKAOUI", "TAZI"};

constexpr sv kPersianM[] = {"ALI", "REZA", "MOHAMMAD", "HOSSEIN", "MEHDI", "AMIR", "HAMID", "SAEED", "DARIUSH",
                            "KOUROSH"};
constexpr sv kPersianF[] = {"MARYAM", "ZAHRA", "FATEMEH", "NEGIN", "SHIRIN", "PARISA", "LEILA", "NASRIN"};
constexpr sv kPersianS[] = {"MOHAMMADI", "HOSSEINI", "AHMADI", "REZAEI", "MORADI", "KARIMI", "JAFARI", "RAHIMI",
                            "SADEGHI", "TEHRANI", "SHIRAZI", "NOURI"};

constexpr sv kRussianM[] = {"ALEKSANDR", "SERGEY", "DMITRY", "ANDREY", "ALEKSEY", "MAKSIM", "IVAN", "MIKHAIL",
                            "NIKOLAY", "VLADIMIR", "OLEG", "YURIY", "TARAS", "BOHDAN"};
constexpr sv kRussianF[] = {"ELENA", "OLGA", "NATALIA", "TATIANA", "IRINA", "SVETLANA", "ANASTASIA", "MARIA",
                            "EKATERINA", "YULIA", "ANNA", "OKSANA"};
constexpr sv kRussianS[] = {"IVANOV", "SMIRNOV", "KUZNETSOV", "POPOV", "VASILIEV", "PETROV", "SOKOLOV",
                            "MIKHAILOV", "NOVIKOV", "FEDOROV", "MOROZOV", "VOLKOV", "ALEKSEEV", "LEBEDEV",
                            "SEMENOV", "EGOROV", "SHEVCHENKO", "KOVALENKO", "BONDARENKO", "TKACHENKO", "MELNYK"};

constexpr sv kChineseM[] = {"WEI", "JUN", "HAO", "LEI", "YANG", "JIAN", "MING", "TAO", "QIANG", "PENG", "BO",
                            "CHAO", "JIANHUA", "ZHIWEI", "XIAOMING", "HAOYU", "ZIHAN"};
constexpr sv kChineseF[] = {"LI", "JING", "YING", "XIU", "NA", "FANG", "MIN", "YAN", "LING", "HUI", "XIN", "MEI",
                            "XIAOLING", "YUTONG", "SHUHUI"};
constexpr sv kChineseS[] = {"WANG", "LI", "ZHANG", "LIU", "CHEN", "YANG", "HUANG", "ZHAO", "WU", "ZHOU", "XU",
                            "SUN", "MA", "ZHU", "HU", "GUO", "HE", "LIN", "LUO", "GAO", "TAN", "LIM", "WONG"};

constexpr sv kJapaneseM[] = {"HIROSHI", "TAKESHI", "KENJI", "YUTO", "HARUTO", "SOTA", "REN", "DAIKI", "KAITO",
                             "SHOTA", "TAKUMI", "KAZUKI"};
constexpr sv kJapaneseF[] = {"YUKI", "SAKURA", "HANA", "YUI", "AOI", "MIO", "RIN", "HARUKA", "AYAKA", "MISAKI",
                             "NANAMI"};
constexpr sv kJapaneseS[] = {"SATO", "SUZUKI", "TAKAHASHI", "TANAKA", "WATANABE", "ITO", "YAMAMOTO", "NAKAMURA",
                             "KOBAYASHI", "KATO", "YOSHIDA", "YAMADA", "SASAKI", "YAMAGUCHI", "MATSUMOTO", "INOUE",
                             "KIMURA"};

constexpr sv kKoreanM[] = {"MINJUN", "SEOJUN", "DOYUN", "JIHO", "JUNWOO", "HYUNWOO", "SUNGMIN", "JAEHYUN",
                           "DONGHYUN"};
constexpr sv kKoreanF[] = {"SEOYEON", "JIWOO", "SEOYUN", "HAEUN", "JIMIN", "SOYEON", "MINJI", "YUNA", "EUNJI"};
constexpr sv kKoreanS[] = {"KIM", "LEE", "PARK", "CHOI", "JUNG", "KANG", "CHO", "YOON", "JANG", "LIM", "HAN",
                           "OH", "SEO", "SHIN"};

constexpr sv kIndianM[] = {"RAHUL", "AMIT", "RAJ", "VIKRAM", "ARJUN", "SANJAY", "ANIL", "SURESH", "RAVI", "ROHAN",
                           "KARAN", "ADITYA", "IMRAN", "FAISAL"};
constexpr sv kIndianF[] = {"PRIYA", "ANANYA", "SUNITA", "ANJALI", "POOJA", "NEHA", "KAVITA", "DEEPA", "LAKSHMI",
                           "DIVYA", "AYESHA"};
constexpr sv kIndianS[] = {"SHARMA", "PATEL", "SINGH", "KUMAR", "GUPTA", "REDDY", "IYER", "NAIR", "DESAI", "JOSHI",
                           "MEHTA", "RAO", "KAPOOR", "CHOPRA", "BANERJEE", "MUKHERJEE", "QURESHI", "MALIK"};

constexpr sv kWestAfricanM[] = {"CHUKWUEMEKA", "OLUWASEUN", "IFEANYI", "EMEKA", "TUNDE", "KWAME", "KOFI", "YAW",
                                "ABUBAKAR", "SEGUN", "CHIDI", "MAMADOU", "OUSMANE"};
constexpr sv kWestAfricanF[] = {"NGOZI", "CHIOMA", "ADAEZE", "FUNMILAYO", "AMA", "ABENA", "FOLAKE", "YETUNDE",
                                "BLESSING", "AMINATA", "FATOUMATA"};
constexpr sv kWestAfricanS[] = {"OKAFOR", "OKONKWO", "ADEYEMI", "OLADIPO", "EZE", "NWOSU", "BELLO", "MENSAH",
                                "OWUSU", "BOATENG", "ASANTE", "OGUNDIPE", "ADEBAYO", "DIALLO", "TRAORE", "KEITA"};

constexpr sv kEastAfricanM[] = {"JOHN", "PETER", "JOSEPH", "DANIEL", "SAMUEL", "BRIAN", "KEVIN", "DAVID", "JUMA",
                                "BARAKA", "TESFAYE", "DAWIT"};
constexpr sv kEastAfricanF[] = {"MARY", "GRACE", "FAITH", "JOY", "ESTHER", "MERCY", "AMANI", "NEEMA", "ALMAZ",
                                "HIWOT"};
constexpr sv kEastAfricanS[] = {"MWANGI", "KAMAU", "OTIENO", "OCHIENG", "WANJIRU", "KIPCHOGE", "MUTUA", "NJOROGE",
                                "ODHIAMBO", "KIPROP", "CHEBET", "WAFULA", "BEKELE", "TADESSE"};

constexpr sv kVietnameseM[] = {"MINH", "DUC", "ANH", "HUNG", "TUAN", "THANH", "QUANG", "VAN", "HOANG"};
constexpr sv kVietnameseF[] = {"LAN", "HUONG", "MAI", "LINH", "THU", "NGOC", "HOA", "TRANG"};
constexpr sv kVietnameseS[] = {"NGUYEN", "TRAN", "LE", "PHAM", "HOANG", "PHAN", "VU", "DANG", "BUI", "DO", "HO",
                               "NGO"};

constexpr Culture kCultures[] = {
    {"english", kEnglishM, kEnglishF, kEnglishS},
    {"german", kGermanM, kGermanF, kGermanS},
    {"french", kFrenchM, kFrenchF, kFrenchS},
    {"dutch", kDutchM, kDutchF, kDutchS},
    {"spanish", kSpanishM, kSpanishF, kSpanishS, true},
    {"italian", kItalianM, kItalianF, kItalianS},
    {"portuguese", kPortugueseM, kPortugueseF, kPortugueseS},
    {"nordic", kNordicM, kNordicF, kNordicS},
    {"slavic", kSlavicM, kSlavicF, kSlavicS},
    {"danubian", kDanubianM, kDanubianF, kDanubianS},
    {"greek", kGreekM, kGreekF, kGreekS},
    {"turkish", kTurkishM, kTurkishF, kTurkishS},
    {"arabic", kArabicM, kArabicF, kArabicS},
    {"persian", kPersianM, kPersianF, kPersianS},
    {"russian", kRussianM, kRussianF, kRussianS, false, true},
    {"chinese", kChineseM, kChineseF, kChineseS},
    {"japanese", kJapaneseM, kJapaneseF, kJapaneseS},
    {"korean", kKoreanM, kKoreanF, kKoreanS},
    {"indian", kIndianM, kIndianF, kIndianS},
    {"west_african", kWestAfricanM, kWestAfricanF, kWestAfricanS},
    {"east_african", kEastAfricanM, kEastAfricanF, kEastAfricanS},
    {"vietnamese", kVietnameseM, kVietnameseF, kVietnameseS},
};

// ---- countries --------------------------------------------------------------------------------

constexpr sv kEuForms[] = {"GmbH", "AG", "GmbH & Co. KG"};
constexpr sv kFrForms[] = {"SAS", "SARL", "SA"};
constexpr sv kNlForms[] = {"B.V.", "N.V."};
constexpr sv kBeForms[] = {"NV", "SA", "BV", "SRL"};
constexpr sv kEsForms[] = {"S.L.", "S.A."};
constexpr sv kItForms[] = {"S.r.l.", "S.p.A."};
constexpr sv kPtForms[] = {"Lda", "S.A."};
constexpr sv kGbForms[] = {"Ltd", "PLC", "LLP"};
constexpr sv kIeForms[] = {"Ltd", "DAC"};
constexpr sv kChForms[] = {"AG", "SA", "GmbH"};
constexpr sv kPlForms[] = {"Sp. z o.o.", "S.A."};
constexpr sv kCzForms[] = {"s.r.o.", "a.s."};
constexpr sv kHuForms[] = {"Kft.", "Zrt."};
constexpr sv kRoForms[] = {"S.R.L.", "S.A."};
constexpr sv kSeForms[] = {"AB"};
constexpr sv kNoForms[] = {"AS", "ASA"};
constexpr sv kDkForms[] = {"ApS", "A/S"};
constexpr sv kFiForms[] = {"Oy", "Oyj"};
constexpr sv kGrForms[] = {"S.A.", "I.K.E."};
constexpr sv kTrForms[] = {"A.S.", "Ltd. Sti."};
constexpr sv kUsForms[] = {"Inc.", "LLC", "Corp."};
constexpr sv kCaForms[] = {"Inc.", "Ltd."};
constexpr sv kBrForms[] = {"Ltda.", "S.A."};
constexpr sv kMxForms[] = {"S.A. de C.V.", "S. de R.L."};
constexpr sv kCoForms[] = {"S.A.S."};
constexpr sv kCnForms[] = {"Co., Ltd."};
constexpr sv kJpForms[] = {"K.K.", "Co., Ltd."};
constexpr sv kSgForms[] = {"Pte. Ltd."};
constexpr sv kHkForms[] = {"Limited", "Company Limited"};
constexpr sv kAeForms[] = {"FZE", "L.L.C.", "FZCO"};
constexpr sv kSaForms[] = {"Co.", "Trading Est."};
constexpr sv kEgForms[] = {"S.A.E."};
constexpr sv kMaForms[] = {"SARL", "SA"};
constexpr sv kNgForms[] = {"Ltd", "Plc"};
constexpr sv kLtdForms[] = {"Ltd"};
constexpr sv kZaForms[] = {"(Pty) Ltd"};
constexpr sv kVnForms[] = {"Co., Ltd", "JSC"};
constexpr sv kInForms[] = {"Pvt. Ltd.", "Ltd."};
constexpr sv kRuForms[] = {"OOO", "AO"};
constexpr sv kUaForms[] = {"TOV", "PrJSC"};
constexpr sv kAuForms[] = {"Pty Ltd"};
constexpr sv kIrForms[] = {"Co.", "PJS"};

constexpr sv kDeCities[] = {"Berlin", "Hamburg", "Munich", "Frankfurt am Main", "Cologne", "Stuttgart", "Düsseldorf",
                            "Bremen"};
constexpr sv kFrCities[] = {"Paris", "Marseille", "Lyon", "Toulouse", "Bordeaux", "Lille", "Le Havre"};
constexpr sv kNlCities[] = {"Amsterdam", "Rotterdam", "Utrecht", "Eindhoven", "The Hague"};
constexpr sv kBeCities[] = {"Brussels", "Antwerp", "Ghent", "Liège"};
constexpr sv kEsCities[] = {"Madrid", "Barcelona", "Valencia", "Seville", "Bilbao", "Algeciras"};
constexpr sv kItCities[] = {"Rome", "Milan", "Naples", "Turin", "Genoa", "Bologna"};
constexpr sv kPtCities[] = {"Lisbon", "Porto", "Sines", "Braga"};
constexpr sv kGbCities[] = {"London", "Manchester", "Birmingham", "Glasgow", "Liverpool", "Felixstowe"};
constexpr sv kIeCities[] = {"Dublin", "Cork", "Galway"};
constexpr sv kAtCities[] = {"Vienna", "Graz", "Linz", "Salzburg"};
constexpr sv kChCities[] = {"Zurich", "Geneva", "Basel", "Bern", "Lugano"};
constexpr sv kPlCities[] = {"Warsaw", "Krakow", "Gdansk", "Wroclaw", "Poznan"};
constexpr sv kCzCities[] = {"Prague", "Brno", "Ostrava"};
constexpr sv kHuCities[] = {"Budapest", "Debrecen", "Szeged"};
constexpr sv kRoCities[] = {"Bucharest", "Constanta", "Cluj-Napoca"};
constexpr sv kSeCities[] = {"Stockholm", "Gothenburg", "Malmö"};
constexpr sv kNoCities[] = {"Oslo", "Bergen", "Stavanger"};
constexpr sv kDkCities[] = {"Copenhagen", "Aarhus", "Odense"};
constexpr sv kFiCities[] = {"Helsinki", "Espoo", "Turku"};
constexpr sv kGrCities[] = {"Athens", "Piraeus", "Thessaloniki"};
constexpr sv kTrCities[] = {"Istanbul", "Ankara", "Izmir", "Mersin"};
constexpr sv kUsCities[] = {"New York", "Los Angeles", "Chicago", "Houston", "Miami", "Savannah"};
constexpr sv kCaCities[] = {"Toronto", "Montreal", "Vancouver"};
constexpr sv kBrCities[] = {"Sao Paulo", "Rio de Janeiro", "Santos"};
constexpr sv kMxCities[] = {"Mexico City", "Guadalajara", "Monterrey", "Manzanillo"};
constexpr sv kCoCities[] = {"Bogota", "Medellin", "Cartagena"};
constexpr sv kCnCities[] = {"Shanghai", "Shenzhen", "Ningbo", "Guangzhou", "Beijing", "Qingdao"};
constexpr sv kJpCities[] = {"Tokyo", "Osaka", "Yokohama", "Nagoya", "Kobe"};
constexpr sv kKrCities[] = {"Seoul", "Busan", "Incheon"};
constexpr sv kInCities[] = {"Mumbai", "Delhi", "Chennai", "Bengaluru", "Kolkata"};
constexpr sv kSgCities[] = {"Singapore"};
constexpr sv kHkCities[] = {"Hong Kong", "Kowloon"};
constexpr sv kAeCities[] = {"Dubai", "Abu Dhabi", "Sharjah"};
constexpr sv kSaCities[] = {"Riyadh", "Jeddah", "Dammam"};
constexpr sv kEgCities[] = {"Cairo", "Alexandria", "Port Said"};
constexpr sv kMaCities[] = {"Casablanca", "Tangier", "Rabat"};
constexpr sv kNgCities[] = {"Lagos", "Abuja", "Port Harcourt"};
constexpr sv kGhCities[] = {"Accra", "Tema", "Kumasi"};
constexpr sv kKeCities[] = {"Nairobi", "Mombasa"};
constexpr sv kZaCities[] = {"Johannesburg", "Cape Town", "Durban"};
constexpr sv kVnCities[] = {"Ho Chi Minh City", "Hanoi", "Haiphong"};
constexpr sv kRuCities[] = {"Moscow", "Saint Petersburg", "Novorossiysk"};
constexpr sv kUaCities[] = {"Kyiv", "Odesa", "Lviv"};
constexpr sv kAuCities[] = {"Sydney", "Melbourne", "Brisbane"};
constexpr sv kIrCities[] = {"Tehran", "Bandar Abbas", "Isfahan"};
constexpr sv kPkCities[] = {"Karachi", "Lahore", "Islamabad"};

constexpr Country kCountries[] = {
    {"DE", "DEU", "german", kDeCities, "99999", kEuForms, 10, 12, "EUR"},
    {"FR", "FRA", "french", kFrCities, "99999", kFrForms, 9, 8, "EUR"},
    {"NL", "NLD", "dutch", kNlCities, "9999 AA", kNlForms, 5, 8, "EUR"},
    {"BE", "BEL", "dutch", kBeCities, "9999", kBeForms, 3, 4, "EUR"},
    {"ES", "ESP", "spanish", kEsCities, "99999", kEsForms, 7, 6, "EUR"},
    {"IT", "ITA", "italian", kItCities, "99999", kItForms, 7, 7, "EUR"},
    {"PT", "PRT", "portuguese", kPtCities, "9999-999", kPtForms, 2, 2, "EUR"},
    {"GB", "GBR", "english", kGbCities, "AA9 9AA", kGbForms, 8, 8, "GBP"},
    {"IE", "IRL", "english", kIeCities, "A99 A9A9", kIeForms, 1, 2, "EUR"},
    {"AT", "AUT", "german", kAtCities, "9999", kEuForms, 2, 2, "EUR"},
    {"CH", "CHE", "german", kChCities, "9999", kChForms, 2, 3, "CHF"},
    {"PL", "POL", "slavic", kPlCities, "99-999", kPlForms, 4, 4, "PLN"},
    {"CZ", "CZE", "slavic", kCzCities, "999 99", kCzForms, 1, 2, "CZK"},
    {"HU", "HUN", "danubian", kHuCities, "9999", kHuForms, 1, 1, "HUF"},
    {"RO", "ROU", "danubian", kRoCities, "999999", kRoForms, 2, 1, "RON"},
    {"SE", "SWE", "nordic", kSeCities, "999 99", kSeForms, 2, 3, "SEK"},
    {"NO", "NOR", "nordic", kNoCities, "9999", kNoForms, 1, 2, "NOK"},
    {"DK", "DNK", "nordic", kDkCities, "9999", kDkForms, 1, 2, "DKK"},
    {"FI", "FIN", "nordic", kFiCities, "99999", kFiForms, 1, 1, "EUR"},
    {"GR", "GRC", "greek", kGrCities, "999 99", kGrForms, 2, 2, "EUR"},
    {"TR", "TUR", "turkish", kTrCities, "99999", kTrForms, 4, 4, "TRY"},
    {"US", "USA", "english", kUsCities, "99999", kUsForms, 9, 8, "USD"},
    {"CA", "CAN", "english", kCaCities, "A9A 9A9", kCaForms, 2, 2, "CAD"},
    {"BR", "BRA", "portuguese", kBrCities, "99999-999", kBrForms, 3, 3, "BRL"},
    {"MX", "MEX", "spanish", kMxCities, "99999", kMxForms, 2, 2, "MXN"},
    {"CO", "COL", "spanish", kCoCities, "999999", kCoForms, 1, 1, "COP"},
    {"CN", "CHN", "chinese", kCnCities, "999999", kCnForms, 6, 10, "CNY"},
    {"JP", "JPN", "japanese", kJpCities, "999-9999", kJpForms, 3, 4, "JPY"},
    {"KR", "KOR", "korean", kKrCities, "99999", kCnForms, 2, 3, "KRW"},
    {"IN", "IND", "indian", kInCities, "999999", kInForms, 5, 5, "INR"},
    {"PK", "PAK", "indian", kPkCities, "99999", kInForms, 1, 0.5, "PKR"},
    {"SG", "SGP", "chinese", kSgCities, "999999", kSgForms, 1, 3, "SGD"},
    {"HK", "HKG", "chinese", kHkCities, "", kHkForms, 1, 3, "HKD"},
    {"VN", "VNM", "vietnamese", kVnCities, "999999", kVnForms, 2, 2, "VND"},
    {"AE", "ARE", "arabic", kAeCities, "", kAeForms, 3, 4, "AED"},
    {"SA", "SAU", "arabic", kSaCities, "99999", kSaForms, 1, 1, "SAR"},
    {"EG", "EGY", "arabic", kEgCities, "99999", kEgForms, 2, 1, "EGP"},
    {"MA", "MAR", "arabic", kMaCities, "99999", kMaForms, 1, 1, "MAD"},
    {"IR", "IRN", "persian", kIrCities, "99999", kIrForms, 0.5, 0.1, "IRR"},
    {"NG", "NGA", "west_african", kNgCities, "999999", kNgForms, 3, 2, "NGN"},
    {"GH", "GHA", "west_african", kGhCities, "", kLtdForms, 1, 1, "GHS"},
    {"KE", "KEN", "east_african", kKeCities, "99999", kLtdForms, 1, 1, "KES"},
    {"ZA", "ZAF", "english", kZaCities, "9999", kZaForms, 1, 1, "ZAR"},
    {"RU", "RUS", "russian", kRuCities, "999999", kRuForms, 2, 0.5, "RUB"},
    {"UA", "UKR", "russian", kUaCities, "99999", kUaForms, 1, 1, "UAH"},
    {"AU", "AUS", "english", kAuCities, "9999", kAuForms, 2, 1, "AUD"},
};

constexpr Carrier kCarriers[] = {
    {"LH", "DE"}, {"EW", "DE"}, {"AF", "FR"}, {"KL", "NL"}, {"SN", "BE"}, {"IB", "ES"}, {"VY", "ES"}, {"AZ", "IT"},
    {"TP", "PT"}, {"BA", "GB"}, {"U2", "GB"}, {"EI", "IE"}, {"FR", "IE"}, {"OS", "AT"}, {"LX", "CH"}, {"LO", "PL"},
    {"OK", "CZ"}, {"W6", "HU"}, {"RO", "RO"}, {"SK", "SE"}, {"DY", "NO"}, {"AY", "FI"}, {"A3", "GR"}, {"TK", "TR"},
    {"PC", "TR"}, {"AA", "US"}, {"DL", "US"}, {"UA", "US"}, {"AC", "CA"}, {"LA", "BR"}, {"G3", "BR"}, {"AM", "MX"},
    {"AV", "CO"}, {"CA", "CN"}, {"MU", "CN"}, {"CZ", "CN"}, {"NH", "JP"}, {"JL", "JP"}, {"KE", "KR"}, {"OZ", "KR"},
    {"AI", "IN"}, {"6E", "IN"}, {"PK", "PK"}, {"SQ", "SG"}, {"CX", "HK"}, {"VN", "VN"}, {"EK", "AE"}, {"EY", "AE"},
    {"SV", "SA"}, {"MS", "EG"}, {"AT", "MA"}, {"IR", "IR"}, {"W5", "IR"}, {"P4", "NG"}, {"KQ", "KE"}, {"SA", "ZA"},
    {"SU", "RU"}, {"PS", "UA"}, {"QF", "AU"}, {"QR", "QA"}, {"ET", "ET"},
};

constexpr Port kPorts[] = {
    {"CNSHA", false, false}, {"CNNGB", false, false}, {"CNSZX", false, false}, {"CNTAO", false, false},
    {"SGSIN", false, false}, {"KRPUS", false, false}, {"HKHKG", false, false}, {"JPTYO", false, false},
    {"TWKHH", false, false}, {"MYPKG", false, false}, {"VNSGN", false, false}, {"INNSA", false, false},
    {"AEJEA", false, false}, {"SAJED", false, false}, {"EGPSD", false, false}, {"TRMER", false, false},
    {"USNYC", false, false}, {"USLAX", false, false}, {"USSAV", false, false}, {"BRSSZ", false, false},
    {"ARBUE", false, false}, {"ZADUR", false, false}, {"MAPTM", false, false}, {"NGLOS", false, false},
    {"KEMBA", false, false}, {"LKCMB", false, false}, {"NOBGO", false, false}, {"GBFXT", false, false},
    {"NLRTM", true, false},  {"BEANR", true, false},  {"DEHAM", true, false},  {"DEBRV", true, false},
    {"FRLEH", true, false},  {"FRMRS", true, false},  {"ESVLC", true, false},  {"ESALG", true, false},
    {"ITGOA", true, false},  {"ITGIT", true, false},  {"GRPIR", true, false},  {"PLGDN", true, false},
    {"SEGOT", true, false},  {"DKAAR", true, false},  {"FIHEL", true, false},  {"PTSIN", true, false},
    {"SIKOP", true, false},  {"HRRJK", true, false},  {"MTMAR", true, false},  {"ROCND", true, false},
    {"CNPVG", false, true},  {"HKHKG", false, true},  {"AEDXB", false, true},  {"USJFK", false, true},
    {"SGSIN", false, true},  {"DEFRA", true, true},   {"NLAMS", true, true},   {"BEBRU", true, true},
    {"FRCDG", true, true},   {"BELGG", true, true},   {"HUBUD", true, true},
};

constexpr Goods kGoods[] = {
    {"870899", "motor vehicle parts", "CS", 10}, {"090111", "green coffee, not roasted", "BG", 5},
    {"440710", "sawn coniferous wood", "PX", 5}, {"940360", "wooden furniture", "PX", 6},
    {"030389", "frozen fish", "CT", 4}, {"690790", "ceramic tiles", "PX", 4},
    {"847130", "portable computers", "CT", 8}, {"851712", "mobile phones", "CT", 8},
    {"620342", "men's cotton trousers", "CT", 7}, {"610910", "cotton T-shirts", "CT", 8},
    {"640399", "leather footwear", "CT", 5}, {"392690", "articles of plastics", "CT", 6},
    {"730890", "steel structures", "PX", 3}, {"100630", "milled rice", "BG", 3},
    {"170114", "raw cane sugar", "BG", 2}, {"150910", "virgin olive oil", "DR", 2},
    {"220421", "wine in bottles", "CS", 3}, {"080390", "bananas", "CT", 4}, {"080510", "oranges", "CT", 3},
    {"401110", "car tyres", "PK", 4}, {"841821", "refrigerators", "PK", 3}, {"850440", "static converters", "CT", 4},
    {"854231", "processors and controllers", "BX", 3}, {"300490", "medicaments in measured doses", "CT", 4},
    {"380893", "herbicides", "DR", 1}, {"310210", "urea fertiliser", "BG", 2}, {"271019", "lubricating oils", "DR", 2},
    {"392310", "plastic boxes", "CT", 3}, {"481910", "corrugated cartons", "PX", 3}, {"520512", "cotton yarn", "BE", 2},
    {"950300", "toys", "CT", 5}, {"940161", "upholstered seats", "PX", 2}, {"732111", "gas cookers", "PK", 1},
    {"846693", "parts of machine tools", "CR", 2}, {"848180", "valves", "CR", 2},
    {"901890", "medical instruments", "BX", 2}, {"843149", "parts of cranes", "CR", 1},
    {"284700", "hydrogen peroxide", "DR", 0.3}, {"281511", "sodium hydroxide, solid", "BG", 0.5},
    // Sensitive goods: rare, the kind rules look for.
    {"930200", "revolvers and pistols", "CS", 0.02}, {"930630", "cartridges", "CS", 0.03},
    {"848620", "machines for making semiconductor devices", "CR", 0.05},
    {"841410", "vacuum pumps", "CR", 0.08}, {"360200", "prepared explosives", "CS", 0.01},
    {"284420", "enriched uranium compounds", "DR", 0.002},
};

constexpr sv kContainerOwners[] = {"MSCU", "MAEU", "MRKU", "CMAU", "CGMU", "HLXU", "HLBU", "COSU", "CSNU",
                                   "OOLU", "EGHU", "EMCU", "ONEU", "YMLU", "ZIMU", "TGHU", "TCNU", "SEGU",
                                   "TRHU", "BMOU", "FCIU", "GESU", "CAIU", "DRYU", "TEMU", "GLDU", "APZU", "HDMU"};
constexpr sv kShippingLines[] = {"MEDU", "MAEU", "CMDU", "HLCU", "COSU", "ONEY", "EGLV", "ZIMU", "YMLU", "HDMU"};
constexpr sv kVesselWords[] = {"NORDIC", "CAPE", "BALTIC", "ATLANTIC", "PACIFIC", "GOLDEN", "SILVER", "OCEAN",
                               "IRON", "EASTERN", "NORTHERN", "GRAND", "BLUE", "STAR", "ROYAL", "MSC", "MAERSK",
                               "CMA CGM", "EVER", "COSCO"};
constexpr sv kVesselNouns[] = {"ALBATROSS", "BREEZE", "FLORENCE", "HORIZON", "PIONEER", "TRADER", "SPIRIT",
                               "VOYAGER", "GLORY", "HARMONY", "PEARL", "FALCON", "LIBERTY", "VENTURE", "ARROW",
                               "MERIDIAN", "AURORA", "CORAL", "DAWN", "TITAN", "HAMBURG", "SHANGHAI", "GENOA",
                               "ROTTERDAM"};
constexpr sv kFlagStates[] = {"PA", "LR", "MH", "MT", "BS", "CY", "SG", "HK", "GR", "NO", "DK", "DE", "NL", "GB",
                              "IT", "PT", "CN", "JP", "KR", "AG", "BB", "KM", "TG", "PW", "CM"};
constexpr sv kCompanyWords[] = {"Trading", "Logistics", "Shipping", "Holdings", "Textiles", "Electronics", "Foods",
                                "Machinery", "Chemicals", "Pharma", "Agro", "Steel", "Timber", "Marine", "Freight",
                                "Import Export", "Technologies", "Packaging", "Automotive Parts", "Furniture",
                                "Industries", "Commodities", "Distribution", "Engineering", "Seafood", "Fashion"};
constexpr sv kCompanyStems[] = {"Nordlicht", "Atlas", "Meridian", "Horizon", "Blue Harbour", "Silverline",
                                "Greenfield", "Eastgate", "Westbrook", "Sunrise", "Polaris", "Orion", "Vega",
                                "Kestrel", "Harbourline", "Crescent", "Summit", "Riverside", "Oakwood", "Ironbridge",
                                "Bluewater", "Golden Gate", "Pacific Rim", "Alpine", "Baltica", "Levant",
                                "Société Maritime", "Müller & Söhne", "Tecnoplast", "Transoceanic"};
constexpr sv kAgencies[] = {"Polar Route Travel", "Bluewater Journeys", "Cardinal Point Voyages",
                            "Tern & Compass Reisen", "Globetrotter Reisebüro", "Sunway Travel", "Atlas Voyages",
                            "Silk Road Tours", "Meridian Travel Services", "Skyline Holidays"};
constexpr sv kStreetWords[] = {"Harbour", "Station", "Market", "Industrial", "Port", "Mill", "Bridge", "Park",
                               "Canal", "Commerce", "Airport", "Logistics", "Trade", "Quay", "Garden"};
constexpr sv kRemittance[] = {"INV-2026-{n}", "Invoice {n}", "Order {n} final payment", "Salary {n}",
                              "Rent {n}", "Contract {n} instalment", "PO {n}", "Ref {n} freight charges",
                              "Services {n}", "Consulting fee {n}", "Customs duties {n}", "Deposit {n}",
                              "crypto exchange top-up {n}", "gift {n}"};

struct BankSet {
  sv country;
  std::span<const sv> codes;
};
constexpr sv kDeBanks[] = {"DEUT", "COBA", "DRES", "GENO", "HYVE", "MARK"};
constexpr sv kFrBanks[] = {"BNPA", "SOGE", "CRLY", "AGRI", "CMCI"};
constexpr sv kNlBanks[] = {"INGB", "ABNA", "RABO", "TRIO"};
constexpr sv kBeBanks[] = {"GEBA", "KRED", "BBRU"};
constexpr sv kEsBanks[] = {"CAIX", "BBVA", "BSCH", "SABB"};
constexpr sv kItBanks[] = {"UNCR", "BCIT", "BPMO"};
constexpr sv kPtBanks[] = {"CGDI", "BCOM", "TOTA"};
constexpr sv kGbBanks[] = {"BARC", "NWBK", "LOYD", "HSBC", "MIDL"};
constexpr sv kIeBanks[] = {"AIBK", "BOFI"};
constexpr sv kAtBanks[] = {"BKAU", "RZBA", "GIBA"};
constexpr sv kChBanks[] = {"UBSW", "CRES", "ZKBK"};
constexpr sv kPlBanks[] = {"PKOP", "BPKO", "WBKP"};
constexpr sv kSeBanks[] = {"ESSE", "HAND", "NDEA", "SWED"};
constexpr sv kNoBanks[] = {"DNBA", "NDEA"};
constexpr sv kDkBanks[] = {"DABA", "NDEA"};
constexpr sv kFiBanks[] = {"NDEA", "OKOY"};
constexpr sv kUsBanks[] = {"CHAS", "CITI", "BOFA", "WFBI"};
constexpr sv kJpBanks[] = {"MHCB", "BOTK", "SMBC"};
constexpr sv kCnBanks[] = {"BKCH", "ICBK", "PCBC"};
constexpr sv kHkBanks[] = {"HSBC", "BKCH", "SCBL"};
constexpr sv kSgBanks[] = {"DBSS", "OCBC", "UOVB"};
constexpr sv kAeBanks[] = {"EBIL", "NBAD", "MASH"};
constexpr sv kTrBanks[] = {"TGBA", "ISBK", "AKBK"};
constexpr sv kInBanks[] = {"SBIN", "HDFC", "ICIC"};
constexpr BankSet kBanks[] = {
    {"DE", kDeBanks}, {"FR", kFrBanks}, {"NL", kNlBanks}, {"BE", kBeBanks}, {"ES", kEsBanks}, {"IT", kItBanks},
    {"PT", kPtBanks}, {"GB", kGbBanks}, {"IE", kIeBanks}, {"AT", kAtBanks}, {"CH", kChBanks}, {"PL", kPlBanks},
    {"SE", kSeBanks}, {"NO", kNoBanks}, {"DK", kDkBanks}, {"FI", kFiBanks}, {"US", kUsBanks}, {"JP", kJpBanks},
    {"CN", kCnBanks}, {"HK", kHkBanks}, {"SG", kSgBanks}, {"AE", kAeBanks}, {"TR", kTrBanks}, {"IN", kInBanks},
};

}  // namespace

std::span<const Culture> cultures() { return kCultures; }

const Culture& culture_named(std::string_view name) {
  for (const auto& c : kCultures) {
    if (c.name == name) return c;
  }
  return kCultures[0];
}

std::span<const Country> countries() { return kCountries; }

const Country* country_by_alpha2(std::string_view alpha2) {
  for (const auto& c : kCountries) {
    if (c.alpha2 == alpha2) return &c;
  }
  return nullptr;
}

std::span<const Carrier> carriers() { return kCarriers; }
std::span<const Port> ports() { return kPorts; }
std::span<const Goods> goods() { return kGoods; }
std::span<const std::string_view> container_owners() { return kContainerOwners; }
std::span<const std::string_view> shipping_lines() { return kShippingLines; }
std::span<const std::string_view> vessel_words() { return kVesselWords; }
std::span<const std::string_view> vessel_nouns() { return kVesselNouns; }
std::span<const std::string_view> flag_states() { return kFlagStates; }
std::span<const std::string_view> company_words() { return kCompanyWords; }
std::span<const std::string_view> company_stems() { return kCompanyStems; }
std::span<const std::string_view> travel_agencies() { return kAgencies; }
std::span<const std::string_view> street_words() { return kStreetWords; }
std::span<const std::string_view> remittance_texts() { return kRemittance; }

std::span<const std::string_view> banks(std::string_view alpha2) {
  for (const auto& b : kBanks) {
    if (b.country == alpha2) return b.codes;
  }
  return {};
}

}  // namespace crosscheck::loadgen
