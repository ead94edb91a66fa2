"""Trains the small byte-level BPE vocabulary of the tiny models.

Same pipeline as Qwen2's tokenizer.json (NFC, Split(regex, isolated) + ByteLevel without regex,
BPE without unk/byte fallback, ByteLevel decoder), a few hundred merges learned from a fixed
corpus, then the 22 Qwen added tokens appended after the BPE ids exactly as Qwen2.5 orders them.
"""

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from tokenizers import AddedToken

from common import QWEN_ADDED_TOKENS, QWEN_SPLIT_REGEX, QWEN_VL_CHAT_TEMPLATE, write_json

BPE_VOCAB_SIZE = 480  # 256 byte symbols + 224 merges
MODEL_VOCAB_SIZE = 512  # embedding rows; ids 502..511 are unused, like Qwen's 151665..151935

TRAINING_CORPUS = """\
You are a helpful assistant. Describe the image. What is the total amount of this invoice?
Invoice number: INV-2024-00731. Date: 2024-03-15. Due date: 2024-04-14.
Bill to: ACME Manufacturing GmbH, Industriestraße 12, 80331 München, Germany.
Ship to: Müller & Söhne KG, Hauptstraße 5, 1010 Wien, Österreich.
Description            Quantity   Unit price   Amount
Steel bolts M8x40          500        0.12       60.00
Hex nuts M8                500        0.04       20.00
Washers 8.4 mm            1000        0.01       10.00
Subtotal: 90.00 EUR. VAT 19%: 17.10 EUR. Total: 107.10 EUR.
Payment terms: 30 days net. IBAN: DE89 3704 0044 0532 0130 00. BIC: COBADEFFXXX.
Facture n° 2024-118 — Société Générale, 29 boulevard Haussmann, 75009 Paris, France.
Montant total à payer : 1 234,56 €. Échéance : le 31 décembre 2024. Merci de votre confiance !
Factura número 77: señor García pagó el importe en efectivo. ¿Cuál es el total? ¡Gracias!
请问这张发票的总金额是多少？发票号码：12345678。日期：2024年3月15日。金额：人民币一千元整。
請求書の合計金額はいくらですか。東京都千代田区。ありがとうございます。
The quick brown fox jumps over the lazy dog. Pack my box with five dozen liquor jugs.
What's the vendor's name? It's the supplier we've used, and they'll ship what I'd ordered.
Please answer in JSON: {"vendor": "ACME", "total": 107.10, "currency": "EUR", "items": 3}
Line 1\tTab separated\tvalues\nLine 2 with    multiple   spaces and trailing spaces   
Emoji test: invoice paid ✅ 📄 💶 🚚 — thanks 🙏. Symbols: § ¶ © ® ™ ° ± × ÷ µ.
The image shows a scanned document with a table, a logo in the top left corner and a signature.
Answer: The total amount is 107.10 EUR, due on 2024-04-14, payable to ACME Manufacturing GmbH.
"""


def train():
    tokenizer = Tokenizer(models.BPE(unk_token=None, fuse_unk=False, byte_fallback=False))
    tokenizer.normalizer = normalizers.NFC()
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(QWEN_SPLIT_REGEX), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
        ]
    )
    tokenizer.decoder = decoders.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    tokenizer.post_processor = processors.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    trainer = trainers.BpeTrainer(
        vocab_size=BPE_VOCAB_SIZE,
        min_frequency=2,
        show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=[],
    )
    lines = TRAINING_CORPUS.splitlines(keepends=True)
    tokenizer.train_from_iterator(lines * 4, trainer=trainer)
    if tokenizer.get_vocab_size() != BPE_VOCAB_SIZE:
        raise RuntimeError(f"BPE training gave {tokenizer.get_vocab_size()} tokens, expected {BPE_VOCAB_SIZE}")
    for content, special in QWEN_ADDED_TOKENS:
        token = AddedToken(content, single_word=False, lstrip=False, rstrip=False, normalized=False, special=special)
        added = tokenizer.add_special_tokens([token]) if special else tokenizer.add_tokens([token])
        if added != 1:
            raise RuntimeError(f"could not add {content}")
    return tokenizer


def token_id(tokenizer, content):
    return tokenizer.token_to_id(content)


def write_tokenizer_files(tokenizer, model_dir):
    """tokenizer.json, tokenizer_config.json and chat_template.json as the Qwen2.5-VL repos ship them."""
    tokenizer.save(str(model_dir / "tokenizer.json"))
    added = {}
    for content, special in QWEN_ADDED_TOKENS:
        added[str(tokenizer.token_to_id(content))] = {
            "content": content,
            "lstrip": False,
            "normalized": False,
            "rstrip": False,
            "single_word": False,
            "special": special,
        }
    write_json(
        model_dir / "tokenizer_config.json",
        {
            "add_bos_token": False,
            "add_prefix_space": False,
            "added_tokens_decoder": added,
            "additional_special_tokens": [
                "<|im_start|>",
                "<|im_end|>",
                "<|object_ref_start|>",
                "<|object_ref_end|>",
                "<|box_start|>",
                "<|box_end|>",
                "<|quad_start|>",
                "<|quad_end|>",
                "<|vision_start|>",
                "<|vision_end|>",
                "<|vision_pad|>",
                "<|image_pad|>",
                "<|video_pad|>",
            ],
            "bos_token": None,
            "chat_template": QWEN_VL_CHAT_TEMPLATE,
            "clean_up_tokenization_spaces": False,
            "eos_token": "<|im_end|>",
            "errors": "replace",
            "model_max_length": 131072,
            "pad_token": "<|endoftext|>",
            "processor_class": "Qwen2_5_VLProcessor",
            "split_special_tokens": False,
            "tokenizer_class": "Qwen2Tokenizer",
            "unk_token": None,
        },
    )
    write_json(model_dir / "chat_template.json", {"chat_template": QWEN_VL_CHAT_TEMPLATE})
