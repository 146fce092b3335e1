# One rebalance measurement for bench/groups.mjs, with librdkafka consumers
# (confluent-kafka-python) in threads of this process.
# argv: bootstrap topic group strategy members partitions
#   strategy: range (classic, eager), cooperative-sticky (classic, KIP-429),
#             consumer (KIP-848; needs a librdkafka that has it)
# A producer thread writes to every partition in turn; members-1 consumers
# join and consume; once every partition is owned and every member has
# consumed, one more member joins at T0. The rebalance is over at the
# first moment when the members' assignments cover every partition exactly
# once and every member has received a record since its last assignment
# change. Prints one JSON line: {"ms": T1 - T0, "kept": partitions that
# were never revoked from their owner during the rebalance}.
import json, sys, threading, time
from confluent_kafka import Consumer, Producer

bootstrap, topic, group, strategy, members, partitions = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
stop = threading.Event()
t0_set = threading.Event()
lock = threading.Lock()

def produce():
    p = Producer({'bootstrap.servers': bootstrap, 'linger.ms': 2, 'acks': 1})
    i = 0
    while not stop.is_set():
        for _ in range(partitions):
            p.produce(topic, b'x', partition=i % partitions)
            i += 1
        p.poll(0)
        time.sleep(0.02)
    p.flush(5)

class Member:
    def __init__(self, n):
        conf = {'bootstrap.servers': bootstrap, 'group.id': group, 'auto.offset.reset': 'latest',
                'enable.auto.commit': False, 'session.timeout.ms': 10000, 'client.id': 'bench-%d' % n}
        if strategy == 'consumer':
            conf['group.protocol'] = 'consumer'
        else:
            conf['partition.assignment.strategy'] = strategy
        self.c = Consumer(conf)
        self.owned = set()
        self.changed = time.monotonic()
        self.consumed_since_change = None
        self.revoked_after_t0 = set()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def update(self, owned):
        # A callback that leaves the assignment as it was (cooperative rounds
        # call every member, often with nothing) is not a change.
        with lock:
            if owned == self.owned:
                return
            self.owned = owned
            self.changed = time.monotonic()
            self.consumed_since_change = None

    def on_assign(self, c, parts):
        got = set(p.partition for p in parts)
        self.update(self.owned | got if strategy in ('cooperative-sticky', 'consumer') else got)

    def on_revoke(self, c, parts):
        lost = set(p.partition for p in parts)
        if t0_set.is_set():
            with lock:
                self.revoked_after_t0 |= lost
        self.update(self.owned - lost if strategy in ('cooperative-sticky', 'consumer') else set())

    def run(self):
        self.c.subscribe([topic], on_assign=self.on_assign, on_revoke=self.on_revoke)
        while not stop.is_set():
            m = self.c.poll(0.01)
            if m is not None and not m.error():
                with lock:
                    if self.consumed_since_change is None:
                        self.consumed_since_change = time.monotonic()
        self.c.close()

def settled(ms):
    with lock:
        owned = [set(m.owned) for m in ms]
        if any(len(o) == 0 for o in owned):
            return None
        if sum(len(o) for o in owned) != partitions or set().union(*owned) != set(range(partitions)):
            return None
        if any(m.consumed_since_change is None for m in ms):
            return None
        return max(m.consumed_since_change for m in ms)

threading.Thread(target=produce, daemon=True).start()
ms = [Member(i) for i in range(members - 1)]
for m in ms:
    m.thread.start()
deadline = time.monotonic() + 60
while settled(ms) is None and time.monotonic() < deadline:
    time.sleep(0.005)
if settled(ms) is None:
    stop.set()
    print(json.dumps({'error': 'the first %d members never settled' % (members - 1)}))
    sys.exit(0)
time.sleep(0.5)
late = Member(members - 1)
with lock:
    before = [set(m.owned) for m in ms]
ms.append(late)
t0_set.set()
t0 = time.monotonic()
late.thread.start()
result = None
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    t1 = settled(ms)
    if t1 is not None and t1 >= t0 and all(m.changed >= t0 for m in [late]):
        result = t1
        break
    time.sleep(0.005)
# Partitions never revoked from their owner during the rebalance (KIP-429 keeps them; eager revokes all).
with lock:
    kept = sum(len(b - m.revoked_after_t0) for b, m in zip(before, ms[:-1]))
stop.set()
for m in ms:
    m.thread.join(10)
print(json.dumps({'ms': None if result is None else round((result - t0) * 1000, 1), 'kept': kept}))
