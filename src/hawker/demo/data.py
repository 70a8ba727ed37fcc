"""What the demo market sells: shops, their products and variants, buyers' names."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoProduct:
    title: str
    category_id: int
    shape: str
    price: str  # major units in the shop's currency
    axes: dict[str, list[str]] = field(default_factory=dict)
    weight_g: int = 400
    brand: str | None = None


@dataclass(frozen=True)
class DemoShop:
    name: str
    market: str
    seller_type: str
    color: tuple[int, int, int]
    city: str
    postal_code: str
    lat: str
    lng: str
    owner_name: str
    description: str
    products: list[DemoProduct]


SIZES = ["S", "M", "L"]

SHOPS: list[DemoShop] = [
    DemoShop(
        "Maple & Thread",
        "US",
        "LOCAL",
        (70, 110, 170),
        "Portland",
        "97205",
        "45.5152",
        "-122.6784",
        "Mia Thompson",
        "Easy linen and cotton basics, cut in Portland.",
        [
            DemoProduct(
                "Linen Oversized Shirt",
                201,
                "shirt",
                "48.00",
                {"Colour": ["Sand", "Sky"], "Size": SIZES},
                320,
                "Maple & Thread",
            ),
            DemoProduct(
                "Organic Cotton Tee",
                202,
                "shirt",
                "24.00",
                {"Colour": ["White", "Black", "Moss"], "Size": SIZES},
                220,
            ),
            DemoProduct(
                "Relaxed Chino Shorts",
                203,
                "shirt",
                "39.00",
                {"Colour": ["Khaki", "Navy"], "Size": SIZES},
                380,
            ),
            DemoProduct(
                "Quilted Field Jacket",
                204,
                "shirt",
                "129.00",
                {"Colour": ["Olive", "Black"], "Size": SIZES},
                900,
            ),
            DemoProduct(
                "Wrap Midi Dress",
                101,
                "shirt",
                "68.00",
                {"Colour": ["Rust", "Ink"], "Size": SIZES},
                420,
            ),
            DemoProduct(
                "Silk Button Blouse",
                102,
                "shirt",
                "74.00",
                {"Colour": ["Pearl", "Blush"], "Size": SIZES},
                260,
            ),
            DemoProduct(
                "Merino Crew Knit",
                104,
                "shirt",
                "89.00",
                {"Colour": ["Oat", "Charcoal"], "Size": SIZES},
                450,
            ),
            DemoProduct(
                "Pleated Wide Trousers",
                103,
                "shirt",
                "62.00",
                {"Colour": ["Stone", "Black"], "Size": SIZES},
                480,
            ),
            DemoProduct(
                "Flannel Pyjama Set",
                105,
                "shirt",
                "55.00",
                {"Colour": ["Tartan"], "Size": SIZES},
                520,
            ),
            DemoProduct(
                "Canvas Tote Bag", 1005, "bag", "28.00", {"Colour": ["Natural", "Black"]}, 300
            ),
        ],
    ),
    DemoShop(
        "Brightside Kitchen",
        "US",
        "LOCAL",
        (220, 120, 60),
        "Austin",
        "78701",
        "30.2672",
        "-97.7431",
        "Carlos Rivera",
        "Cookware and kitchen kit that makes weeknights easy.",
        [
            DemoProduct(
                "Stoneware Coffee Mug",
                504,
                "mug",
                "18.00",
                {"Colour": ["Terracotta", "Cream", "Sage"]},
                450,
            ),
            DemoProduct(
                "Insulated Steel Bottle",
                504,
                "bottle",
                "32.00",
                {"Colour": ["Coral", "Slate"], "Capacity": ["500 ml", "750 ml"]},
                380,
            ),
            DemoProduct("Cast Iron Skillet 10in", 501, "box", "45.00", {}, 2600, "Brightside"),
            DemoProduct(
                "Nonstick Saucepan Set",
                501,
                "box",
                "79.00",
                {"Pieces": ["3-piece", "5-piece"]},
                3200,
            ),
            DemoProduct(
                "Pour-Over Coffee Kettle",
                502,
                "bottle",
                "54.00",
                {"Finish": ["Matte Black", "Brushed Steel"]},
                1100,
            ),
            DemoProduct(
                "Compact Air Fryer", 502, "box", "99.00", {"Colour": ["White", "Black"]}, 4200
            ),
            DemoProduct(
                "Bamboo Storage Canisters", 505, "box", "36.00", {"Set": ["3 jars", "5 jars"]}, 1500
            ),
            DemoProduct(
                "Linen Table Runner", 504, "box", "29.00", {"Colour": ["Natural", "Indigo"]}, 250
            ),
            DemoProduct(
                "Ceramic Serving Bowl", 504, "mug", "42.00", {"Colour": ["Speckle", "Blue"]}, 1300
            ),
            DemoProduct("Chef's Knife 8in", 501, "box", "65.00", {}, 350, "Brightside"),
        ],
    ),
    DemoShop(
        "Pulse Gadgets",
        "US",
        "LOCAL",
        (90, 70, 200),
        "San Jose",
        "95113",
        "37.3382",
        "-121.8863",
        "Priya Natarajan",
        "Phone gear, audio and wearables that just work.",
        [
            DemoProduct(
                "MagSafe Phone Case",
                402,
                "phone",
                "29.00",
                {"Model": ["Phone 15", "Phone 16"], "Colour": ["Clear", "Midnight"]},
                90,
            ),
            DemoProduct(
                "Wireless Earbuds Pro", 403, "ball", "89.00", {"Colour": ["White", "Black"]}, 160
            ),
            DemoProduct(
                "Over-Ear Headphones", 403, "ball", "149.00", {"Colour": ["Silver", "Black"]}, 420
            ),
            DemoProduct(
                "Smart Fitness Band", 406, "phone", "59.00", {"Strap": ["Black", "Lilac"]}, 80
            ),
            DemoProduct("65W USB-C Charger", 402, "box", "39.00", {}, 150),
            DemoProduct(
                "Portable Power Bank",
                402,
                "box",
                "45.00",
                {"Capacity": ["10,000 mAh", "20,000 mAh"]},
                320,
            ),
            DemoProduct(
                "Bluetooth Speaker Mini", 403, "ball", "49.00", {"Colour": ["Teal", "Orange"]}, 380
            ),
            DemoProduct("Phone Tripod Ring Light", 404, "phone", "34.00", {}, 600),
            DemoProduct(
                "Tablet Sleeve 11in", 405, "bag", "27.00", {"Colour": ["Grey", "Navy"]}, 220
            ),
            DemoProduct(
                "Smartwatch Strap Pack", 406, "box", "19.00", {"Size": ["41 mm", "45 mm"]}, 60
            ),
        ],
    ),
    DemoShop(
        "Northern Kit Co.",
        "GB",
        "LOCAL",
        (40, 140, 100),
        "Manchester",
        "M1 1AE",
        "53.4808",
        "-2.2426",
        "Oliver Hughes",
        "Kit for the pitch, the gym and the fells.",
        [
            DemoProduct(
                "Match Football Size 5", 605, "ball", "24.99", {"Colour": ["White", "Volt"]}, 430
            ),
            DemoProduct(
                "Trail Running Shoes",
                604,
                "shoe",
                "89.99",
                {"Colour": ["Storm", "Ember"], "Size": ["UK 7", "UK 8", "UK 9", "UK 10"]},
                700,
            ),
            DemoProduct(
                "Resistance Band Set", 601, "box", "19.99", {"Level": ["Light", "Heavy"]}, 500
            ),
            DemoProduct(
                "Insulated Water Bottle", 602, "bottle", "17.99", {"Colour": ["Pine", "Fog"]}, 350
            ),
            DemoProduct(
                "Lightweight Rain Jacket",
                604,
                "shirt",
                "64.99",
                {"Colour": ["Yellow", "Navy"], "Size": SIZES},
                400,
            ),
            DemoProduct("Yoga Mat 6mm", 601, "box", "29.99", {"Colour": ["Plum", "Sea"]}, 1200),
            DemoProduct("Cycling Gloves", 603, "shoe", "21.99", {"Size": SIZES}, 120),
            DemoProduct(
                "Adjustable Dumbbells", 601, "box", "119.99", {"Weight": ["12 kg", "24 kg"]}, 9000
            ),
            DemoProduct(
                "Hiking Daypack 20L", 602, "bag", "44.99", {"Colour": ["Moss", "Graphite"]}, 800
            ),
            DemoProduct(
                "Training Tee",
                604,
                "shirt",
                "18.99",
                {"Colour": ["Black", "Red"], "Size": SIZES},
                180,
            ),
        ],
    ),
    DemoShop(
        "Bramble Beauty",
        "GB",
        "LOCAL",
        (180, 80, 130),
        "Bristol",
        "BS1 4DJ",
        "51.4545",
        "-2.5879",
        "Amelia Clarke",
        "Clean skincare and colour, made in small batches.",
        [
            DemoProduct(
                "Rosehip Face Oil", 301, "bottle", "22.00", {"Size": ["15 ml", "30 ml"]}, 120
            ),
            DemoProduct(
                "Hyaluronic Serum", 301, "bottle", "18.50", {"Size": ["30 ml", "50 ml"]}, 130
            ),
            DemoProduct(
                "Tinted Lip Balm", 302, "bottle", "9.00", {"Shade": ["Berry", "Nude", "Coral"]}, 30
            ),
            DemoProduct("Mineral SPF 30", 301, "bottle", "16.00", {}, 120),
            DemoProduct(
                "Cream Blush Stick", 302, "bottle", "14.00", {"Shade": ["Peach", "Rose"]}, 40
            ),
            DemoProduct(
                "Nourishing Shampoo", 303, "bottle", "12.50", {"Size": ["250 ml", "500 ml"]}, 320
            ),
            DemoProduct(
                "Bergamot Eau de Parfum", 304, "bottle", "48.00", {"Size": ["30 ml", "50 ml"]}, 260
            ),
            DemoProduct("Clay Cleansing Mask", 301, "mug", "15.00", {}, 180),
            DemoProduct(
                "Volumising Mascara", 302, "bottle", "13.00", {"Colour": ["Black", "Brown"]}, 40
            ),
            DemoProduct(
                "Sonic Face Brush", 305, "bottle", "39.00", {"Colour": ["Pink", "Mint"]}, 200
            ),
        ],
    ),
    DemoShop(
        "Kiezladen Berlin",
        "DE",
        "LOCAL",
        (60, 60, 60),
        "Berlin",
        "10997",
        "52.5003",
        "13.4250",
        "Lena Fischer",
        "Taschen, Tee und schöne Dinge aus Kreuzberg.",
        [
            DemoProduct(
                "Canvas Rolltop Backpack", 1005, "bag", "69.00", {"Farbe": ["Schwarz", "Oliv"]}, 900
            ),
            DemoProduct(
                "Leather Card Wallet", 1005, "bag", "34.00", {"Farbe": ["Cognac", "Schwarz"]}, 80
            ),
            DemoProduct("Organic Green Tea", 802, "box", "8.90", {"Size": ["50 g", "100 g"]}, 120),
            DemoProduct("Porcelain Teapot", 504, "mug", "39.00", {}, 900),
            DemoProduct(
                "Enamel Camping Mug", 504, "mug", "14.00", {"Farbe": ["Weiß", "Blau"]}, 250
            ),
            DemoProduct(
                "Wool Felt Laptop Bag", 1005, "bag", "49.00", {"Size": ["13 in", "15 in"]}, 500
            ),
            DemoProduct(
                "Espresso Beans Blend",
                802,
                "box",
                "12.50",
                {"Mahlgrad": ["Bohne", "Gemahlen"]},
                520,
            ),
            DemoProduct("Linen Bread Bag", 505, "bag", "16.00", {}, 90),
            DemoProduct("Concrete Plant Pot", 504, "box", "22.00", {"Size": ["S", "L"]}, 1400),
            DemoProduct(
                "Recycled Sunglasses",
                1006,
                "box",
                "45.00",
                {"Farbe": ["Schildpatt", "Schwarz"]},
                60,
            ),
        ],
    ),
    DemoShop(
        "Sakura Stationery & Toys",
        "JP",
        "LOCAL",
        (230, 120, 150),
        "Tokyo",
        "150-0001",
        "35.6702",
        "139.7027",
        "Haruto Sato",
        "Stationery, crafts and toys from Harajuku.",
        [
            DemoProduct(
                "Washi Tape Set", 704, "box", "880", {"Set": ["10 rolls", "20 rolls"]}, 150
            ),
            DemoProduct(
                "Watercolour Brush Pens",
                704,
                "box",
                "1980",
                {"Set": ["12 colours", "24 colours"]},
                200,
            ),
            DemoProduct("Origami Paper Pack", 704, "box", "550", {}, 250),
            DemoProduct("Building Blocks Castle", 701, "box", "4980", {}, 1200),
            DemoProduct("Plush Shiba Inu", 702, "ball", "2480", {"Size": ["20 cm", "35 cm"]}, 300),
            DemoProduct("Wooden Puzzle Cube", 703, "box", "1650", {}, 200),
            DemoProduct("Fountain Pen", 704, "phone", "3300", {"Nib": ["Fine", "Medium"]}, 60),
            DemoProduct(
                "Dot Grid Notebook A5", 704, "box", "1100", {"Colour": ["Navy", "Sakura"]}, 300
            ),
            DemoProduct(
                "Remote Control Drift Car", 705, "box", "5980", {"Colour": ["Red", "Blue"]}, 900
            ),
            DemoProduct("Family Board Game", 703, "box", "3850", {}, 1100),
        ],
    ),
    DemoShop(
        "Batik Modern",
        "ID",
        "LOCAL",
        (160, 90, 40),
        "Yogyakarta",
        "55271",
        "-7.7956",
        "110.3695",
        "Dewi Lestari",
        "Contemporary batik, hand-stamped in Yogyakarta.",
        [
            DemoProduct(
                "Batik Wrap Dress",
                101,
                "shirt",
                "459000",
                {"Motif": ["Parang", "Kawung"], "Size": SIZES},
                400,
            ),
            DemoProduct(
                "Batik Short-Sleeve Shirt",
                201,
                "shirt",
                "289000",
                {"Motif": ["Truntum", "Mega"], "Size": SIZES},
                280,
            ),
            DemoProduct(
                "Batik Silk Scarf", 1005, "bag", "199000", {"Colour": ["Indigo", "Soga"]}, 90
            ),
            DemoProduct("Kebaya Blouse", 102, "shirt", "349000", {"Size": SIZES}, 250),
            DemoProduct(
                "Woven Rattan Bag", 1005, "bag", "275000", {"Size": ["Small", "Large"]}, 600
            ),
            DemoProduct("Batik Tote", 1005, "bag", "129000", {}, 300),
            DemoProduct("Batik Palazzo Trousers", 103, "shirt", "319000", {"Size": SIZES}, 380),
            DemoProduct("Lurik Cotton Shirt", 201, "shirt", "259000", {"Size": SIZES}, 280),
            DemoProduct(
                "Batik Kids Dress", 901, "shirt", "179000", {"Size": ["2-3 y", "4-5 y"]}, 200
            ),
            DemoProduct("Batik Table Cloth", 504, "box", "229000", {}, 700),
        ],
    ),
]

# A shop waiting for review, so the operator console has work to do.
PENDING_SHOP = DemoShop(
    "Coastal Candle Co.",
    "US",
    "LOCAL",
    (120, 160, 170),
    "Santa Cruz",
    "95060",
    "36.9741",
    "-122.0308",
    "Noah Bennett",
    "Soy candles poured by hand on the coast.",
    [],
)

BUYER_MARKETS = ["US"] * 90 + ["GB"] * 50 + ["DE"] * 25 + ["JP"] * 20 + ["ID"] * 15

FIRST_NAMES = [
    "Ava",
    "Liam",
    "Emma",
    "Noah",
    "Olivia",
    "Ethan",
    "Sofia",
    "Lucas",
    "Isla",
    "Mason",
    "Chloe",
    "Leo",
    "Grace",
    "Arjun",
    "Yuki",
    "Hana",
    "Ren",
    "Siti",
    "Budi",
    "Putri",
    "Jonas",
    "Mila",
    "Felix",
    "Clara",
    "Oscar",
    "Freya",
    "Amir",
    "Zara",
    "Diego",
    "Lucia",
]
LAST_NAMES = [
    "Smith",
    "Johnson",
    "Garcia",
    "Brown",
    "Patel",
    "Kim",
    "Nguyen",
    "Taylor",
    "Wilson",
    "Walker",
    "Müller",
    "Schmidt",
    "Tanaka",
    "Suzuki",
    "Santoso",
    "Wijaya",
    "Evans",
    "Hall",
]

ADDRESSES = {
    "US": ("350 Fifth Avenue", "New York", "NY", "10118", "+1 212 555 0101"),
    "GB": ("10 Downing Street", "London", "", "SW1A 2AA", "+44 20 7946 0101"),
    "DE": ("Unter den Linden 1", "Berlin", "", "10117", "+49 30 5550101"),
    "JP": ("1-1 Chiyoda", "Tokyo", "Tokyo", "100-0001", "+81 3 5550 0101"),
    "ID": ("Jalan Thamrin 1", "Jakarta", "DKI Jakarta", "10350", "+62 21 5550101"),
}
