#!/usr/bin/env python3
"""The training a researcher would otherwise write: read the labeled CSV,
CountVectorizer(ngram_range=(1,2)) and MultinomialNB for stance and
sentiment. Prints seconds (end to end, after imports) and rows as JSON."""
import csv, json, sys, time

def main():
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.naive_bayes import MultinomialNB
    t0 = time.time()
    rows = [r for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")) if r["stance"] != "noise"]
    X = CountVectorizer(ngram_range=(1, 2)).fit_transform([r["text"] for r in rows])
    MultinomialNB().fit(X, [r["stance"] for r in rows])
    MultinomialNB().fit(X, [r["sentiment"] for r in rows])
    print(json.dumps({"seconds": time.time() - t0, "rows": len(rows)}))

if __name__ == "__main__":
    main()
