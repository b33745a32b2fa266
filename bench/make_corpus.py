#!/usr/bin/env python3
"""Build a benchmark corpus: articles of 10-40 distinct paragraphs sampled
(with a fixed seed) from the seed articles' paragraphs, across five outlets,
as JSONL with id, outlet, date and text, up to a target size in MB."""
import glob, json, os, random, sys

def main():
    target_mb = float(sys.argv[1]) if len(sys.argv) > 1 else 200
    out = sys.argv[2] if len(sys.argv) > 2 else "bench/corpus.jsonl"
    seed_dir = sys.argv[3] if len(sys.argv) > 3 else "seeds"
    paras = []
    for path in sorted(glob.glob(os.path.join(seed_dir, "*.txt"))):
        with open(path, encoding="utf-8") as f:
            for p in f.read().split("\n\n"):
                p = " ".join(p.split())
                if len(p) > 40:
                    paras.append(p)
    paras = sorted(set(paras))
    rng = random.Random(20261123)
    outlets = ["outlet-a", "outlet-b", "outlet-c", "outlet-d", "outlet-e"]
    limit = int(target_mb * 1e6)
    written = 0
    i = 0
    with open(out, "w", encoding="utf-8") as f:
        while written < limit:
            k = rng.randint(10, min(40, len(paras)))
            text = "\n\n".join(rng.sample(paras, k))
            rec = {"id": f"a{i:08d}", "outlet": outlets[i % 5], "date": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}", "text": text}
            line = json.dumps(rec, ensure_ascii=False) + "\n"
            f.write(line)
            written += len(line.encode("utf-8"))
            i += 1
    print(f"{out}: {i} articles, {written / 1e6:.1f} MB", file=sys.stderr)

if __name__ == "__main__":
    main()
