#!/usr/bin/env python3
"""Writes N synthetic article documents in the real front-matter format, deterministically from a seed.

Distributions follow what ../shared/corpus shows, at a larger scale: a few hundred topics and a few
thousand providers with a skewed (Zipf-like) spread, 0-2 images, 0-40 related links (most have few),
a few percent videos (originalUrl + featuredContent only) and a few percent re-published duplicates
(same webUrl, later date), heat -1 with published false for about a third, HTML entities and emoji.

    python3 bench/generate.py --count 100000 --out bench/.corpus-100000 [--seed 1]
"""
import argparse
import os
import random

WORDS = ("diablo release season patch review guide build class rogue druid barbarian sorcerer necromancer "
         "power apps dataverse portal copilot model driven canvas flow connector security update preview "
         "announcement trailer gameplay beta launch roadmap interview analysis market cloud data ai vision "
         "language robotics chip developer studio community event tournament esports ranking tier list").split()
ENTITIES = ["&#038;", "&#8217;", "&amp;", "&#8220;", "&#8221;", "&hellip;"]
EMOJI = ["🎮", "🚀", "🔥", "✨"]


def words(rng, lo, hi):
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi)))
    if rng.random() < 0.1:
        text += " " + rng.choice(ENTITIES) + " " + rng.choice(WORDS)
    if rng.random() < 0.03:
        text += " " + rng.choice(EMOJI)
    return text.capitalize()


def quote(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def image(rng, indent, n):
    pad = " " * indent
    return (f"{pad}- url: \"https://img.example/{n}-{rng.randint(0, 999999)}.jpg\"\n"
            f"{pad}  width: {rng.choice([480, 640, 744, 1024, 1200])}\n"
            f"{pad}  height: {rng.choice([270, 360, 419, 576, 675])}\n"
            f"{pad}  isCached: true\n")


def document(rng, n, topics, providers, published_at, url):
    provider = providers[int(len(providers) * rng.random() ** 3)]
    video = rng.random() < 0.05
    heatless = rng.random() < 0.33
    lines = ["---", "category: news", f"title: {quote(words(rng, 4, 12))}", f"excerpt: {quote(words(rng, 15, 45))}",
             f"publishedDateTime: {published_at}"]
    if video:
        iframe = '<iframe src="https://video.example/embed/%d" allowfullscreen></iframe>' % n
        lines += [f"originalUrl: \"https://video.example/watch?v={n}\"", "type: video", "",
                  f"featuredContent: {quote(iframe)}"]
    else:
        lines += [f"originalUrl: \"{url}\"", f"webUrl: \"{url}\"", f"ampWebUrl: \"{url}/amp\"", "type: article",
                  f"quality: {rng.randint(20, 110)}", f"heat: {-1 if heatless else rng.randint(0, 400)}",
                  f"published: {'false' if heatless else 'true'}"]
    lines += ["", "provider:", f"  name: {provider[1]}", f"  domain: {provider[0]}", "", "topics:"]
    for topic in {topics[int(len(topics) * rng.random() ** 2.5)] for _ in range(rng.randint(1, 3))}:
        lines.append(f"  - {topic}")
    images = rng.choice([0, 1, 1, 1, 2])
    if images:
        lines += ["", "images:"] + [image(rng, 2, n).rstrip("\n") for _ in range(images)]
    related = int(40 * rng.random() ** 4) if rng.random() < 0.6 else 0
    if related:
        lines += ["", "related:"]
        for r in range(related):
            other = providers[rng.randrange(len(providers))]
            lines += [f"  - title: {quote(words(rng, 4, 10))}", f"    excerpt: {quote(words(rng, 10, 30))}",
                      f"    publishedDateTime: {published_at}", f"    webUrl: \"https://{other[0]}/r/{n}-{r}\"",
                      "    type: article", "    provider:", f"      name: {other[1]}", f"      domain: {other[0]}",
                      f"    quality: {rng.randint(20, 100)}"]
            if rng.random() < 0.5:
                lines += ["    images:", image(rng, 6, n).rstrip("\n")]
    lines += ["", f"secured: \"{rng.getrandbits(256):064x};{rng.getrandbits(64):016x}\"", "---", ""]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    topics = [f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {i}" for i in range(400)]
    providers = [(f"site{i}.example", f"Site {i} News") for i in range(3000)]
    os.makedirs(args.out, exist_ok=True)
    urls = []
    for n in range(args.count):
        day = 1 + n * 3650 // max(args.count, 1)
        published_at = f"{2015 + day // 365:04d}-{1 + day % 365 // 31 % 12:02d}-{1 + day % 28:02d}T{n % 24:02d}:{n * 7 % 60:02d}:00Z"
        # A few percent re-publish an earlier article under the same URL with a later date.
        if urls and rng.random() < 0.03:
            url = rng.choice(urls)
        else:
            url = f"https://news.example/{n}/{rng.choice(WORDS)}-{rng.choice(WORDS)}"
            urls.append(url)
        folder = os.path.join(args.out, f"{n // 1000:04d}")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"{n:07d}.md"), "w", encoding="utf-8") as f:
            f.write(document(rng, n, topics, providers, published_at, url))


if __name__ == "__main__":
    main()
