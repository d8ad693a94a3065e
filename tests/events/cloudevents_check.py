#!/usr/bin/env python3
"""Reads every record of every xyd topic on a Kafka broker with the CloudEvents SDK (Kafka binary
mode) and reports, per topic, how many records it read and how many it refused.

    cloudevents_check.py --brokers HOST:PORT [--prefix xyd.]
    cloudevents_check.py --brokers HOST:PORT --lag GROUP...

A record is refused when the SDK cannot make a CloudEvent of it (a required attribute missing or
bad), when its content-type says JSON but its value is not JSON, or, on xyd.out.*, when the body's
`type` differs from the ce_type header. Prints one JSON object (topics -> {records, rejected,
types, first_rejection}) and exits 0 when nothing was refused, 1 otherwise, 2 when it could not read.

With --lag it reads, through Kafka's AdminClient, each group's committed offsets and each
partition's end offset (the high watermark), and prints {group: {"topic/partition": [committed,
end]}}, as kafka-consumer-groups.sh --describe shows them; exits 0.
"""
import argparse
import json
import sys
import time

from cloudevents.core.bindings import kafka as ce_kafka
from confluent_kafka import Consumer, ConsumerGroupTopicPartitions, KafkaError, TopicPartition
from confluent_kafka.admin import AdminClient


def check(message):
    """The refusal of one Kafka message (a string), or None when it is a valid CloudEvent."""
    headers = {}
    for name, value in message.headers() or []:
        headers[name] = value if value is not None else b""
    try:
        event = ce_kafka.from_binary_event(
            ce_kafka.KafkaMessage(headers=headers, key=message.key(), value=message.value() or b""))
    except Exception as e:  # the SDK's validation errors, and anything else it raised on the record
        return f"SDK: {type(e).__name__}: {e}"
    content_type = event.get_datacontenttype() or ""
    if "json" in content_type:
        try:
            body = json.loads(message.value())
        except ValueError as e:
            return f"content-type {content_type} but the value is not JSON: {e}"
        if message.topic().startswith("xyd.out.") and body.get("type") != event.get_type():
            return f"body type {body.get('type')!r} differs from ce_type {event.get_type()!r}"
    if event.get_time() is None:
        return "no ce_time"
    return None


def lag(brokers, groups):
    """Each group's committed offset and the end offset of every partition it committed."""
    admin = AdminClient({"bootstrap.servers": brokers})
    probe = Consumer({"bootstrap.servers": brokers, "group.id": "cloudevents-check-lag"})
    out = {}
    for group in groups:
        future = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)])[group]
        partitions = future.result(timeout=15).topic_partitions or []
        out[group] = {}
        for tp in partitions:
            if tp.offset < 0:
                continue
            _, high = probe.get_watermark_offsets(TopicPartition(tp.topic, tp.partition), timeout=10)
            out[group][f"{tp.topic}/{tp.partition}"] = [tp.offset, high]
    probe.close()
    print(json.dumps(out))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--brokers", required=True)
    parser.add_argument("--prefix", default="xyd.")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to read everything")
    parser.add_argument("--since-ms", type=int, default=0,
                        help="check only records stamped at or after this Unix time in ms (earlier ones, "
                             "such as other tests' deliberately broken records, are counted as 'earlier')")
    parser.add_argument("--lag", nargs="+", metavar="GROUP", help="print these groups' offsets instead")
    args = parser.parse_args()
    if args.lag:
        return lag(args.brokers, args.lag)

    consumer = Consumer({
        "bootstrap.servers": args.brokers,
        "group.id": "cloudevents-check",
        "enable.auto.commit": False,
        "isolation.level": "read_committed",
        "enable.partition.eof": True,
        "auto.offset.reset": "earliest",
    })
    metadata = consumer.list_topics(timeout=15)
    topics = sorted(t for t in metadata.topics if t.startswith(args.prefix))
    assignment = [TopicPartition(t, p, -2) for t in topics for p in metadata.topics[t].partitions]  # -2: beginning
    report = {t: {"records": 0, "rejected": 0, "earlier": 0, "types": [], "first_rejection": None} for t in topics}
    consumer.assign(assignment)
    pending = {(tp.topic, tp.partition) for tp in assignment}
    deadline = time.monotonic() + args.timeout
    while pending and time.monotonic() < deadline:
        message = consumer.poll(0.5)
        if message is None:
            continue
        if message.error():
            if message.error().code() == KafkaError._PARTITION_EOF:
                pending.discard((message.topic(), message.partition()))
                continue
            print(json.dumps({"error": str(message.error())}))
            return 2
        entry = report[message.topic()]
        if message.timestamp()[1] < args.since_ms:
            entry["earlier"] += 1
            continue
        entry["records"] += 1
        refusal = check(message)
        if refusal:
            entry["rejected"] += 1
            if entry["first_rejection"] is None:
                entry["first_rejection"] = f"{message.partition()}@{message.offset()}: {refusal}"
        else:
            ce_type = dict(message.headers() or []).get("ce_type", b"").decode()
            if ce_type not in entry["types"]:
                entry["types"].append(ce_type)
    consumer.close()
    if pending:
        print(json.dumps({"error": f"not read to the end within {args.timeout} s: {sorted(pending)[:5]}",
                          "topics": report}))
        return 2
    print(json.dumps({"topics": report}))
    return 1 if any(entry["rejected"] for entry in report.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
