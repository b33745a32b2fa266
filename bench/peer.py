#!/usr/bin/env python3
"""The Python pipeline a researcher would otherwise write: regex-split
sentences, keep those that mention an actor (same lexicon terms), then
scikit-learn CountVectorizer(ngram_range=(1,2)) + MultinomialNB.predict_proba
for stance and sentiment, trained on training/labels.csv. Writes one row per
(sentence, actor) unit."""
import csv, json, re, sys, time, tomllib

def main():
    corpus, out = sys.argv[1], sys.argv[2]
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.naive_bayes import MultinomialNB
    lex = tomllib.load(open("models/actors.toml", "rb"))
    pats = []
    for a in lex["actor"]:
        ci = [re.escape(t) for t in a.get("terms", [])]
        cs = [re.escape(t) for t in a.get("terms_exact", [])]
        parts = []
        if ci:
            parts.append("(?i:" + "|".join(sorted(ci, key=len, reverse=True)) + ")")
        if cs:
            parts.append("|".join(sorted(cs, key=len, reverse=True)))
        pats.append((a["id"], re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")))
    rows = [r for r in csv.DictReader(open("training/labels.csv")) if r["stance"] != "noise"]
    t0 = time.time()
    vec = CountVectorizer(ngram_range=(1, 2))
    X = vec.fit_transform([r["text"] for r in rows])
    st = MultinomialNB().fit(X, [r["stance"] for r in rows])
    se = MultinomialNB().fit(X, [r["sentiment"] for r in rows])
    split = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")
    n_bytes = n_sent = n_units = 0
    t1 = time.time()
    with open(corpus, encoding="utf-8") as f, open(out, "w", newline="") as o:
        w = csv.writer(o)
        w.writerow(["article_id", "sentence_index", "actor"] + [f"p_{c}" for c in st.classes_] + [f"p_{c}" for c in se.classes_])
        batch = []
        def flush():
            if not batch:
                return
            Xb = vec.transform([b[3] for b in batch])
            ps, pe = st.predict_proba(Xb), se.predict_proba(Xb)
            for b, a, e in zip(batch, ps, pe):
                w.writerow([b[0], b[1], b[2]] + [f"{x:.6f}" for x in a] + [f"{x:.6f}" for x in e])
            batch.clear()
        for line in f:
            n_bytes += len(line.encode("utf-8"))
            rec = json.loads(line)
            for i, s in enumerate(split.split(" ".join(rec["text"].split()))):
                n_sent += 1
                for aid, p in pats:
                    if p.search(s):
                        batch.append((rec["id"], i, aid, s))
                        n_units += 1
            if len(batch) > 20000:
                flush()
        flush()
    secs = time.time() - t1
    print(json.dumps({"seconds": secs, "bytes": n_bytes, "sentences": n_sent, "units": n_units, "train_seconds": t1 - t0}))

if __name__ == "__main__":
    main()
