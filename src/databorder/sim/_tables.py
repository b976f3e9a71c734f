"""Hand-written reference tables for the synthetic marketplace.

Faker's `ko_KR` addresses join provinces and cities at random ("강원특별자치도 용인시"), which any
Korean reader spots at once, and its company names cannot be romanised into an email domain. These
tables are small, coherent and real-shaped instead: each district carries its own province, dongs,
road names and postal-code range, and each country its own way of naming a company. Everything
generated from them is still synthetic: building numbers, units and brands are drawn at random.
"""

from typing import NamedTuple


class District(NamedTuple):
    """A 시/군/구 with real dong and road names and the range its 5-digit postal codes fall in."""

    sido: str
    sigungu: str  # empty for 세종특별자치시, which has no 구
    places: tuple[tuple[str, str], ...]  # (법정동, 도로명)
    postal_lo: int
    postal_hi: int
    weight: int  # rough share of online shoppers


# One row per district reads as a table; the formatter would spread each over a dozen lines.
# fmt: off
DISTRICTS: tuple[District, ...] = (
    District("서울특별시", "강남구", (("역삼동", "테헤란로"), ("삼성동", "봉은사로"), ("대치동", "삼성로"), ("논현동", "논현로"), ("개포동", "개포로"), ("압구정동", "압구정로")), 6000, 6399, 9),
    District("서울특별시", "서초구", (("서초동", "서초대로"), ("반포동", "신반포로"), ("방배동", "방배로"), ("양재동", "강남대로")), 6500, 6799, 7),
    District("서울특별시", "송파구", (("잠실동", "올림픽로"), ("문정동", "송파대로"), ("가락동", "양재대로"), ("방이동", "위례성대로")), 5500, 5899, 9),
    District("서울특별시", "마포구", (("서교동", "양화로"), ("합정동", "독막로"), ("상암동", "월드컵북로"), ("공덕동", "마포대로")), 3900, 4199, 6),
    District("서울특별시", "영등포구", (("여의도동", "국제금융로"), ("영등포동", "영중로"), ("당산동", "당산로")), 7200, 7499, 6),
    District("서울특별시", "관악구", (("봉천동", "관악로"), ("신림동", "신림로")), 8700, 8899, 6),
    District("서울특별시", "노원구", (("상계동", "동일로"), ("중계동", "한글비석로")), 1600, 1899, 6),
    District("서울특별시", "종로구", (("혜화동", "대학로"), ("사직동", "사직로"), ("종로1가", "종로")), 3000, 3199, 2),
    District("서울특별시", "성동구", (("성수동2가", "아차산로"), ("행당동", "왕십리로")), 4700, 4899, 4),
    District("서울특별시", "강서구", (("화곡동", "화곡로"), ("마곡동", "마곡중앙로")), 7500, 7799, 7),
    District("부산광역시", "해운대구", (("우동", "해운대로"), ("중동", "달맞이길"), ("좌동", "좌동로")), 48000, 48199, 5),
    District("부산광역시", "부산진구", (("부전동", "중앙대로"), ("전포동", "전포대로")), 47100, 47399, 4),
    District("부산광역시", "수영구", (("광안동", "광안해변로"), ("남천동", "수영로")), 48200, 48299, 2),
    District("인천광역시", "연수구", (("송도동", "컨벤시아대로"), ("연수동", "원인재로")), 21900, 22099, 5),
    District("인천광역시", "남동구", (("구월동", "인주대로"), ("논현동", "논고개로")), 21500, 21699, 5),
    District("대구광역시", "수성구", (("범어동", "달구벌대로"), ("만촌동", "동대구로")), 42000, 42299, 4),
    District("대구광역시", "중구", (("동성로2가", "동성로"), ("삼덕동", "공평로")), 41900, 41999, 1),
    District("광주광역시", "서구", (("치평동", "상무중앙로"), ("화정동", "화정로")), 61900, 62099, 3),
    District("대전광역시", "유성구", (("봉명동", "대학로"), ("도룡동", "엑스포로")), 34000, 34299, 3),
    District("울산광역시", "남구", (("삼산동", "삼산로"), ("달동", "번영로")), 44600, 44799, 2),
    District("세종특별자치시", "", (("보람동", "한누리대로"), ("나성동", "나성북로")), 30000, 30199, 2),
    District("경기도", "성남시 분당구", (("정자동", "정자일로"), ("서현동", "서현로"), ("삼평동", "판교역로")), 13400, 13699, 7),
    District("경기도", "수원시 영통구", (("영통동", "영통로"), ("매탄동", "매탄로")), 16400, 16799, 6),
    District("경기도", "고양시 일산동구", (("장항동", "중앙로"), ("백석동", "백석로")), 10300, 10499, 5),
    District("경기도", "용인시 수지구", (("풍덕천동", "수지로"), ("죽전동", "포은대로")), 16800, 16999, 5),
    District("경기도", "화성시", (("반송동", "동탄대로"), ("청계동", "동탄순환대로")), 18300, 18699, 6),
    District("경기도", "부천시", (("중동", "길주로"), ("상동", "상이로")), 14400, 14799, 5),
    District("경기도", "남양주시", (("다산동", "다산중앙로"), ("별내동", "별내중앙로")), 12100, 12299, 4),
    District("경기도", "파주시", (("목동동", "가람로"), ("금촌동", "금정로")), 10800, 10999, 3),
    District("강원특별자치도", "춘천시", (("석사동", "영서로"), ("퇴계동", "퇴계로")), 24200, 24499, 2),
    District("충청북도", "청주시 흥덕구", (("복대동", "직지대로"), ("가경동", "풍산로")), 28100, 28599, 3),
    District("충청남도", "천안시 서북구", (("불당동", "불당대로"), ("쌍용동", "쌍용대로")), 31000, 31299, 3),
    District("전북특별자치도", "전주시 완산구", (("효자동", "홍산로"), ("중화산동", "화산로")), 54800, 55199, 3),
    District("전라남도", "순천시", (("연향동", "연향로"), ("조례동", "백강로")), 57900, 58099, 2),
    District("경상북도", "포항시 남구", (("대잠동", "포스코대로"), ("이동", "희망대로")), 37600, 37999, 2),
    District("경상남도", "창원시 성산구", (("상남동", "중앙대로"), ("중앙동", "원이대로")), 51400, 51599, 3),
    District("제주특별자치도", "제주시", (("연동", "신대로"), ("노형동", "노형로")), 63000, 63399, 2),
)
# fmt: on

APARTMENT_BRANDS: tuple[str, ...] = (
    "푸른마을",
    "한빛아파트",
    "그린빌",
    "하늘채",
    "햇살마을",
    "솔빛마을",
    "미래타운",
    "센트럴파크",
    "리버뷰",
    "숲속마을",
    "한울아파트",
    "새솔마을",
)

FREE_EMAIL_DOMAINS: tuple[tuple[str, int], ...] = (
    ("naver.com", 40),
    ("gmail.com", 25),
    ("daum.net", 10),
    ("hanmail.net", 9),
    ("kakao.com", 6),
    ("nate.com", 5),
    ("hotmail.com", 5),
)

# What Korean buyers order from a cross-border marketplace; quantities are added at random.
PRODUCTS: tuple[str, ...] = (
    "무선 블루투스 이어폰",
    "USB-C 고속 충전 케이블 2m",
    "스마트폰 투명 케이스",
    "LED 무드등",
    "여성 니트 가디건 (베이지, M)",
    "남성 기능성 반팔 티셔츠 (L)",
    "러닝화 (270mm)",
    "캠핑용 접이식 의자",
    "스테인리스 텀블러 500ml",
    "실리콘 주방 조리도구 세트",
    "욕실 수납 선반",
    "고양이 스크래처",
    "강아지 산책 리드줄",
    "아이 방수 우비 (110)",
    "레고 호환 블록 세트",
    "보드게임 카드",
    "미니 가습기",
    "휴대용 선풍기",
    "차량용 휴대폰 거치대",
    "노트북 파우치 15인치",
    "기계식 키보드 키캡 세트",
    "게이밍 마우스 패드",
    "요가 매트 6mm",
    "폼롤러",
    "비타민C 1000mg 120정",
    "유산균 60캡슐",
    "선크림 SPF50+ 50ml",
    "헤어 드라이어",
    "전동 칫솔 리필모 8개입",
    "가죽 카드지갑",
    "여행용 캐리어 네임택",
    "방수 등산 자켓 (XL)",
    "원두 커피 1kg",
    "녹차 티백 100개입",
    "드립 커피 포트",
    "손목 보호대",
    "자전거 LED 후미등",
    "낚시 루어 세트",
    "다이어리 2027",
    "만년필 잉크 카트리지",
)

KOREAN_BRANDS: tuple[tuple[str, str], ...] = (
    ("한빛", "hanbit"),
    ("새롬", "saerom"),
    ("다온", "daon"),
    ("푸른숲", "pureunsup"),
    ("바른", "bareun"),
    ("온누리", "onnuri"),
    ("미래로", "miraero"),
    ("하늘", "haneul"),
    ("가온", "gaon"),
    ("누리", "nuri"),
    ("세움", "seum"),
    ("라온", "raon"),
    ("별빛", "byeolbit"),
    ("청솔", "cheongsol"),
    ("해담", "haedam"),
    ("소담", "sodam"),
    ("아라", "ara"),
    ("도담", "dodam"),
    ("한결", "hangyeol"),
    ("단비", "danbi"),
    ("마루", "maru"),
    ("여울", "yeoul"),
    ("초록", "chorok"),
)
KOREAN_TRADES: tuple[tuple[str, str], ...] = (
    ("상사", "sangsa"),
    ("유통", "yutong"),
    ("리빙", "living"),
    ("커머스", "commerce"),
    ("디자인", "design"),
    ("글로벌", "global"),
    ("코리아", "korea"),
    ("물산", "mulsan"),
    ("스토어", "store"),
    ("라이프", "life"),
)

CHINESE_CITIES: tuple[tuple[str, str], ...] = (  # (city, fixed-line area code)
    ("Shenzhen", "755"),
    ("Yiwu", "579"),
    ("Guangzhou", "20"),
    ("Dongguan", "769"),
    ("Hangzhou", "571"),
    ("Ningbo", "574"),
    ("Xiamen", "592"),
    ("Shanghai", "21"),
    ("Suzhou", "512"),
    ("Quanzhou", "595"),
)
PINYIN: tuple[str, ...] = (
    "Hua",
    "Xing",
    "Jin",
    "Xin",
    "Rui",
    "Feng",
    "Tian",
    "Hong",
    "Mei",
    "Jia",
    "Bai",
    "Yi",
    "Long",
    "Sheng",
    "Heng",
    "Tai",
    "Fu",
    "Da",
    "Kang",
    "Ming",
    "Hao",
    "Yuan",
    "Chang",
    "Wei",
    "Zhi",
    "Cheng",
    "Hui",
    "Lian",
    "Bo",
    "Rong",
    "Shun",
    "An",
)
CHINESE_TRADES: tuple[str, ...] = (
    "Trading",
    "Import & Export",
    "E-commerce",
    "Technology",
    "Electronic Technology",
    "Household Products",
    "Garment",
    "Supply Chain Management",
    "Industrial",
)
CANTONESE: tuple[str, ...] = (
    "Wing",
    "Kwong",
    "Tak",
    "Fung",
    "Cheung",
    "Man",
    "Hing",
    "Yuen",
    "Shun",
    "On",
    "Fat",
    "Kee",
    "Lung",
    "Sang",
    "Tai",
    "Wah",
)
TAIWANESE: tuple[str, ...] = (
    "Chia-Hsin",
    "Hsin-Yi",
    "Yung-Feng",
    "Ta-Tung",
    "Kuo-Hua",
    "Chien-Kang",
    "Fu-Sheng",
    "Jui-Lin",
    "Tien-Yu",
    "Ming-Te",
)
JAPANESE_BRANDS: tuple[tuple[str, str], ...] = (  # (romaji, 表記)
    ("Sakura", "さくら"),
    ("Midori", "みどり"),
    ("Hinode", "日の出"),
    ("Aozora", "あおぞら"),
    ("Kaede", "かえで"),
    ("Tsubasa", "つばさ"),
    ("Fujimi", "富士見"),
    ("Hoshino", "星野"),
    ("Tachibana", "橘"),
    ("Yamabuki", "山吹"),
    ("Kotobuki", "寿"),
    ("Matsukaze", "松風"),
)
JAPANESE_TRADES: tuple[tuple[str, str], ...] = (
    ("Shoji", "商事"),
    ("Trading", "貿易"),
    ("Bussan", "物産"),
    ("Kogyo", "工業"),
    ("Seiko", "製工"),
)
VIETNAMESE_BRANDS: tuple[str, ...] = (
    "Minh Phat",
    "Hoang Long",
    "Thanh Cong",
    "Phuong Nam",
    "Viet Tien",
    "An Khang",
    "Tan Phat",
    "Dai Phong",
    "Hung Thinh",
    "Bao Ngoc",
)
THAI_BRANDS: tuple[str, ...] = (
    "Siam Sawasdee",
    "Chao Phraya",
    "Sukhothai",
    "Ratchada",
    "Lanna",
    "Krungthep",
    "Phuket Pearl",
    "Sabai",
    "Chiang Mai Craft",
)
SINGAPORE_BRANDS: tuple[str, ...] = (
    "Lion City",
    "Merlion",
    "Orchid",
    "Straits",
    "Marina",
    "Raffles Lane",
    "Kallang",
    "Tanjong",
)
WESTERN_TRADES: tuple[str, ...] = (
    "Outdoor Supply",
    "Home Goods",
    "Brands",
    "Trading",
    "Nutrition",
    "Apparel",
    "Direct",
    "Living",
    "Toys",
    "Electronics",
)
GERMAN_TRADES: tuple[str, ...] = ("Handels", "Versand", "Technik", "Haushaltswaren", "Sport")
FRENCH_TRADES: tuple[str, ...] = ("Distribution", "Commerce", "Maison", "Cosmétiques")
ITALIAN_TRADES: tuple[str, ...] = ("Moda", "Pelletteria", "Casa", "Design")
