"""`parrot chat` as a user runs it: a real process, one message per line on standard input."""

import subprocess
from pathlib import Path

from support import records
from support.shared_data import shared_data
from tests.processes import run_parrot


def chat(lines: list[str], data_root: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return run_parrot("chat", data_root=data_root, stdin="".join(f"{line}\n" for line in lines), **env)


def test_the_local_chat_answers_every_text_command(tmp_path: Path) -> None:
    done = chat(
        ["!hi", "!help", "!instruction", "!feedback great bot", "!getfile ../../etc/passwd", "hello there", "!nope"],
        tmp_path,
        PARROT_MODEL_STARTER="false",  # without the starter knowledge, an untrained space says so
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "parrot> Hi " in out and "I'm Parrot" in out
    assert "`!select_dataset [NAME]`" in out and "`!getfile PATH`" in out
    assert "# Parrot: how to use me" in out
    assert "Thank you for the feedback" in out
    assert "parrot> I can't use the path `../../etc/passwd`: `..` is not allowed." in out
    assert "parrot> I haven't been taught anything yet" in out
    assert "Did you mean" in out or "I don't know the command `!nope`" in out
    assert records.texts(tmp_path, "feedback", "guild-1") == ["great bot"]
    assert "Traceback" not in done.stderr


def test_a_fresh_data_root_answers_from_the_starter_in_the_language_of_the_question(tmp_path: Path) -> None:
    done = chat(["hello", "what can you do?", "привет", "!model"], tmp_path)
    assert done.returncode == 0, done.stderr
    replies = [line for line in done.stdout.splitlines() if line.startswith("parrot> ")]
    hello, abilities, privet, models = replies[:4]
    assert hello.startswith("parrot> Hello! I'm Parrot.")
    assert "transcribe voice messages" in abilities and "`!train`" in abilities and "`!help`" in abilities
    assert privet.startswith("parrot> Привет! Я Parrot.")
    assert "No model has been trained here yet" in models and "the starter model" in models
    # Built once, then cached under the data root by the dataset's hash.
    assert len(list(tmp_path.glob("cache/starter/*-tfidf/artifact.bin"))) == 1
    assert "Traceback" not in done.stderr


def test_a_servers_own_training_replaces_the_starter(tmp_path: Path) -> None:
    done = chat(
        [
            "!train --backend tfidf hello => Hi there!\\nhi => Hi there!\\ngood morning => Hi there!\\n"
            "bye => See you!\\ngoodbye => See you!\\nsee you later => See you!",
            "hello",
            "привет",
            "!model",
        ],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Training `train-1` done: model version 1 (tfidf)" in out
    assert "parrot> Hi there!" in out
    assert "Привет! Я Parrot." not in out and "Hello! I'm Parrot." not in out
    assert "(active)" in out and "the starter model" not in out


def test_the_local_chat_trains_answers_and_learns_from_a_correction(tmp_path: Path) -> None:
    done = chat(
        [
            "!train --backend tfidf hello => Hi there!\\nhi => Hi there!\\ngood morning => Hi there!\\n"
            "bye => See you!\\ngoodbye => See you!\\nsee you later => See you!",
            "hello",
            "do you sell coffee",
            "!correct Yes, beans and ground.",
            "do you sell coffee",
        ],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Training `train-1` done: model version 1 (tfidf)" in out
    assert out.count("parrot> Yes, beans and ground.") == 1
    assert "parrot> Hi there!" in out


def test_the_local_chat_hears_an_attached_voice_clip_and_speaks_in_voice(tmp_path: Path) -> None:
    clip = shared_data("speech", "en_jfk.ogg")
    done = chat([f"/attach {clip}", "/voice on", "hello there"], tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "parrot> 🎙️ I heard: " in out and "ask not what your country can do for you" in out.lower()
    assert "(you are in the voice channel #20)" in out
    spoken = [line for line in out.splitlines() if line.startswith("parrot> (spoke ")]
    assert spoken and all(Path(line.rsplit(": ", 1)[1].rstrip(")")).is_file() for line in spoken)


def test_say_plays_a_clip_as_if_spoken_in_the_voice_channel(tmp_path: Path) -> None:
    clip = shared_data("speech", "en_s2p_weather_new_york.wav")
    done = chat(
        [
            "!train --backend tfidf what's the weather like in new york => Sunny in New York.\\n"
            "weather in new york => Sunny in New York.\\n"
            "set a timer => No timers yet.\\ntimer please => No timers yet.",
            f"/say {clip}",
            "/say no-such-file.wav",
        ],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "parrot> 🎙️ " in out and "weather like in new york" in out.lower()
    assert "parrot> Sunny in New York." in out
    spoken = [line for line in out.splitlines() if line.startswith("parrot> (spoke ")]
    assert spoken and all(Path(line.rsplit(": ", 1)[1].rstrip(")")).is_file() for line in spoken)
    assert "(no such file: no-such-file.wav)" in out


def test_a_dataset_without_answers_warns_at_training_and_a_correction_answers_its_intent(tmp_path: Path) -> None:
    rows = {
        "card_arrival": ["my card still hasn't arrived", "when will my card arrive", "where is my new card"],
        "lost_card": ["i lost my card", "my card is lost", "someone stole my card"],
        "top_up": ["how do i top up", "top up my account", "add money to my account"],
    }
    data = tmp_path / "banking.csv"
    data.write_text("text,intent\n" + "".join(f"{text},{intent}\n" for intent, texts in rows.items() for text in texts))
    done = chat(
        [
            f"/attach {data} !train --backend tfidf",
            "my card still hasn't arrived",
            "!correct Cards arrive within five days.",
            "!train --backend tfidf",
            "where is my new card",
        ],
        tmp_path / "root",
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Training `train-1` done: model version 1 (tfidf)" in out
    assert "Warning: 3 of 3 intents have no answer, so I can only reply with their name" in out
    assert "add an `answer` column" in out and "`!correct THE ANSWER`" in out
    assert "parrot> That sounds like `card_arrival`." in out
    assert "where it becomes the answer of `card_arrival`" in out
    assert "Warning: 2 of 3 intents have no answer" in out
    assert out.rstrip().endswith("parrot> Cards arrive within five days."), out[-500:]


def test_lines_typed_after_train_or_test_are_refused_in_the_users_terms(tmp_path: Path) -> None:
    done = chat(["!train this line has no arrow", "!train hello => Hi!", "!test just words"], tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "inline.txt" not in out and "intent '" not in out
    assert out.count("I couldn't use the lines you wrote after `!train`:") == 2
    assert "- line 1: “this line has no arrow” has no `=>` between a question and its answer" in out
    assert "- “Hi!” has 1 way of asking (line 1); at least 2 are needed" in out
    assert "- at least two different answers are needed to train; found 1" in out
    assert out.count("Each answer needs at least two ways of asking, and I need at least two different answers") == 3
    assert "`hello => Hi!`\n`hi there => Hi!`\n`bye => See you!`\n`see you later => See you!`" in out
    assert "I couldn't use the lines you wrote after `!test`:" in out
    assert "- line 1: “just words” has no `=>`" in out
