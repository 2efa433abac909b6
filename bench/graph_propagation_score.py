"""Scores POST /v1/graph/analyze's greylisting against the simulator's truth.

Half of each planted ring's members were blacklisted (the seeds); the analysis propagates their
risk through the graph and greylists users at or above the threshold. Precision: share of the
greylisted users who are fraud (ring or farm members); recall: share of the unseeded ring
members greylisted. Also prints the batch timings and the components-vs-groups check.
"""
import json
import sys

analysis = json.load(open(sys.argv[1]))
seeds = {line.strip() for line in open(sys.argv[2]) if line.strip()}
truth = sys.argv[3]
planted = [json.loads(line) for line in open(f"{truth}/fraud_rings.jsonl")]
lookalikes = [json.loads(line) for line in open(f"{truth}/lookalikes.jsonl")]
fraud = {u for r in planted for u in r["members"]}
held_out = {u for r in planted if r["kind"] == "ring" for u in r["members"]} - seeds
greylisted = {g["id"] for g in analysis["greylisted"] if g["type"] == "user"}
lookalike_users = {u for r in lookalikes for u in r["members"]} - fraud
tp = len(greylisted & fraud)
print(json.dumps({
    "nodes": analysis["nodes"],
    "edges": analysis["edges"],
    "seeds": analysis["seeds"],
    "seconds": analysis["seconds"],
    "components": analysis["components"],
    "users_outside_their_streaming_group": analysis["users_outside_their_streaming_group"],
    "communities": analysis["communities"],
    "modularity": analysis["modularity"],
    "greylisted_users": len(greylisted),
    "precision": round(tp / len(greylisted), 4) if greylisted else None,
    "held_out_ring_members": len(held_out),
    "recall_of_held_out": round(len(greylisted & held_out) / len(held_out), 4) if held_out else None,
    "lookalikes_greylisted": len(greylisted & lookalike_users),
}, indent=1))
