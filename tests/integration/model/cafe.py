"""A small training set, written for the tests: a café's questions and answers, with out-of-scope examples."""

from domain.training import OUT_OF_SCOPE, Dataset, Example

ANSWERS = {
    "hours": "We are open from 8 to 18, Monday to Saturday.",
    "location": "We are at 12 Harbour Street, next to the library.",
    "wifi": "Yes, the wifi is free: the password is on your receipt.",
    "booking": "You can book a table by phone or at the counter.",
    "payment": "We take cash and every card, contactless too.",
    "vegan": "Yes, half of our menu is vegan, cakes included.",
}

EXAMPLES = {
    "hours": [
        "when are you open",
        "what are your opening hours",
        "are you open on saturday",
        "what time do you close",
        "what time do you open in the morning",
        "until when are you open today",
        "are you closed on sundays",
        "opening times please",
    ],
    "location": [
        "where are you",
        "what is your address",
        "how do I find the café",
        "where is the shop",
        "which street are you on",
        "how do I get there",
        "is it near the library",
        "directions please",
    ],
    "wifi": [
        "do you have wifi",
        "what is the wifi password",
        "is there internet",
        "can I use my laptop online here",
        "is the wireless free",
        "how do I connect to the network",
        "wifi code please",
        "do you offer internet access",
    ],
    "booking": [
        "can I book a table",
        "I want to reserve a table for four",
        "do you take reservations",
        "how do I make a booking",
        "can I reserve seats for tonight",
        "is it possible to book in advance",
        "table for two tomorrow please",
        "I would like to make a reservation",
    ],
    "payment": [
        "can I pay by card",
        "do you accept cash",
        "do you take credit cards",
        "can I pay with my phone",
        "is contactless ok",
        "which payment methods do you accept",
        "do you take visa",
        "can I pay with apple pay",
    ],
    "vegan": [
        "do you have vegan food",
        "is there anything without meat",
        "are your cakes vegan",
        "do you serve plant based milk",
        "vegan options please",
        "do you have dairy free dishes",
        "I am vegetarian, what can I eat",
        "do you have oat milk",
    ],
    OUT_OF_SCOPE: [
        "tell me a joke",
        "what is the capital of france",
        "who won the football match yesterday",
        "write me a poem",
        "what is two plus two",
        "how tall is the eiffel tower",
        "what is the weather like on mars",
        "who is the president",
    ],
}

CAFE = Dataset(
    "cafe.csv",
    tuple(Example(text, intent, line=n) for n, (text, intent) in enumerate(
        ((t, i) for i, texts in EXAMPLES.items() for t in texts), start=2)),
    dict(ANSWERS),
)  # fmt: skip

# Messages not in the training set, with the intent they should get.
IN_SCOPE = [
    ("what time do you open on monday", "hours"),
    ("what's your street address", "location"),
    ("is there free wifi", "wifi"),
    ("I'd like to book a table for six", "booking"),
    ("can I pay by credit card", "payment"),
    ("do you have anything vegan", "vegan"),
]
OUT_OF_SCOPE_MESSAGES = [
    "sing me a song",
    "how far away is the moon",
    "who painted the mona lisa",
    "what is the meaning of life",
]
