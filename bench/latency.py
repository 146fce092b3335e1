"""Fixed-rate latency load for the produce benchmark (bench/produce.mjs).

python3-confluent-kafka (librdkafka) on both sides, because
rdkafka_performance's rate limit sleeps a fixed time after each produce and
so falls well short of the asked rate on a busy two-core machine; here the
producer follows an absolute schedule (every due record is sent, then it
sleeps until the next one is due).

  latency.py consume <bootstrap> <topic> <count> <out>
      assigns partition 0 at its end, prints "ready" after a second of
      polling, then writes one end-to-end latency (microseconds, wall clock
      at arrival minus the wall clock the producer wrote into the value) per
      record to <out>.
  latency.py produce <bootstrap> <topic> <count> <rate> <size> <linger.ms> <out>
      produces <count> records of <size> bytes at <rate> per second, acks=-1,
      and writes one produce-to-acknowledgement latency
      (microseconds) per record to <out>; prints the achieved rate.
"""
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition, OFFSET_END


def consume(bootstrap, topic, count, out):
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'bench-latency', 'enable.auto.commit': False,
                  'fetch.wait.max.ms': 500, 'fetch.min.bytes': 1})
    c.assign([TopicPartition(topic, 0, OFFSET_END)])
    started = time.monotonic()
    while time.monotonic() - started < 1.0:
        c.poll(0.1)
    print('ready', flush=True)
    lat = []
    idle_since = time.monotonic()
    while len(lat) < count and time.monotonic() - idle_since < 30:
        # poll() returns as soon as a record is there (consume(n, t) would
        # wait for n records or the whole timeout).
        m = c.poll(0.1)
        if m is None or m.error() or m.key() == b'warm-up':
            continue
        lat.append(int((time.time() - float(m.value()[:20])) * 1e6))
        idle_since = time.monotonic()
    c.close()
    with open(out, 'w') as f:
        f.write('\n'.join(str(x) for x in lat) + '\n')


def produce(bootstrap, topic, count, rate, size, linger_ms, out):
    p = Producer({'bootstrap.servers': bootstrap, 'acks': -1, 'linger.ms': linger_ms})
    pad = b'x' * (size - 20)
    lat = []
    failed = []

    def delivered(sent):
        def cb(err, _msg):
            if err is not None:
                failed.append(str(err))
            else:
                lat.append(int((time.perf_counter() - sent) * 1e6))
        return cb

    # One record first, waited for: connections, metadata and the
    # partition's leader are then in place before the clock starts (a cold
    # producer otherwise holds its first records for up to a second).
    p.produce(topic, b'0' * size, key=b'warm-up', partition=0)
    if p.flush(30) != 0:
        raise SystemExit('warm-up record not delivered')
    t0 = time.perf_counter()
    sent = 0
    while sent < count:
        due = min(count, int((time.perf_counter() - t0) * rate) + 1)
        while sent < due:
            value = ('%020.6f' % time.time()).encode() + pad
            p.produce(topic, value, partition=0, on_delivery=delivered(time.perf_counter()))
            sent += 1
        p.poll(0)
        wait = t0 + sent / rate - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
    p.flush(60)
    elapsed = time.perf_counter() - t0
    with open(out, 'w') as f:
        f.write('\n'.join(str(x) for x in lat) + '\n')
    print('achieved %d failed %d' % (round(count / elapsed), len(failed)), flush=True)


if __name__ == '__main__':
    mode = sys.argv[1]
    if mode == 'consume':
        consume(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    else:
        produce(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7]), sys.argv[8])
