# Load for bench/transactions.mjs: python3-confluent-kafka (librdkafka)
# producing 1 KiB records, either idempotent (no transactions) or in
# transactions of a given size. argv: bootstrap topic mode per_txn total
# mode: idempotent | transactional. Prints {"seconds": ..., "records": ...}.
import json, sys, time
from confluent_kafka import Producer
bootstrap, topic, mode, per_txn, total = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
conf = {'bootstrap.servers': bootstrap, 'linger.ms': 5, 'enable.idempotence': True, 'queue.buffering.max.messages': 1000000}
if mode == 'transactional':
    conf['transactional.id'] = 'bench-%d-%d' % (per_txn, int(time.time() * 1000))
p = Producer(conf)
value = b'x' * 1024
def produce(n):
    for i in range(n):
        while True:
            try:
                p.produce(topic, value, partition=i % 4)
                break
            except BufferError:
                p.poll(0.01)
    p.poll(0)
if mode == 'transactional':
    p.init_transactions(30)
start = time.monotonic()
if mode == 'transactional':
    done = 0
    while done < total:
        p.begin_transaction()
        produce(per_txn)
        p.commit_transaction(30)
        done += per_txn
else:
    produce(total)
    p.flush(60)
    done = total
print(json.dumps({'seconds': time.monotonic() - start, 'records': done}))
