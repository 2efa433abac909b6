"""Scores GET /v1/graph/rings against the simulator's planted rings and honest look-alikes.

Member level: precision = share of users in listed rings who belong to a planted ring (or device
farm); recall = share of planted members found in a listed ring. Ring level: a planted ring is
recovered when one listed ring holds at least 90% of its members.
"""
import json
import sys

rings = json.load(open(sys.argv[1]))["rings"]
truth = sys.argv[2]
planted = [json.loads(line) for line in open(f"{truth}/fraud_rings.jsonl")]
lookalikes = [json.loads(line) for line in open(f"{truth}/lookalikes.jsonl")]
fraud_users = {u for r in planted for u in r["members"]}
lookalike_users = {u for r in lookalikes for u in r["members"]} - fraud_users
listed = {u for r in rings for u in r["members"]}
tp = len(listed & fraud_users)
precision = tp / len(listed) if listed else 0.0
recall = tp / len(fraud_users) if fraud_users else 0.0
recovered = 0
for p in planted:
    members = set(p["members"])
    if any(len(members & set(r["members"])) >= 0.9 * len(members) for r in rings):
        recovered += 1
print(json.dumps({
    "listed_rings": len(rings),
    "listed_users": len(listed),
    "planted_rings": len(planted),
    "planted_users": len(fraud_users),
    "member_precision": round(precision, 4),
    "member_recall": round(recall, 4),
    "rings_recovered": recovered,
    "lookalike_users": len(lookalike_users),
    "lookalikes_flagged": len(listed & lookalike_users),
    "honest_users_flagged": len(listed - fraud_users),
}))
