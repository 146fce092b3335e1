/**
 * Python scripts for the committed-offsets suite (offsets.test.ts). Each
 * takes the bootstrap address, a group id and a topic, runs its client's
 * calls and prints one JSON object with what the client reports; the tests
 * decide pass or fail.
 */

/**
 * confluent-kafka-python (librdkafka): assign() without joining the group,
 * commit(asynchronous=False) of explicit offsets (a simple commit:
 * generation -1), committed() read back, and the error librdkafka reports
 * for a topic that does not exist. (1.7.0 cannot commit metadata strings:
 * its TopicPartition has no metadata field.)
 * argv: bootstrap group topic json([[partition, offset], ...])
 */
export const CONFLUENT_COMMIT_SCRIPT = `
import json, sys
from confluent_kafka import Consumer, TopicPartition, KafkaException
bootstrap, group, topic, spec = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'enable.auto.commit': False, 'socket.timeout.ms': 10000})
out = {}
def attempt(tps):
    try:
        res = c.commit(offsets=tps, asynchronous=False)
        return [[t.partition, t.offset, t.error.code() if t.error else 0] for t in res]
    except KafkaException as e:
        return {'code': e.args[0].code(), 'name': e.args[0].name()}
out['commit'] = attempt([TopicPartition(topic, p, o) for p, o in spec])
got = c.committed([TopicPartition(topic, p) for p, _ in spec], timeout=10)
out['committed'] = [[t.partition, t.offset] for t in got]
out['unknown_topic'] = attempt([TopicPartition('no-such-topic-xyz', 0, 1)])
c.close()
print(json.dumps(out))
`

/**
 * confluent-kafka-python: consumes a partition from the group's committed
 * offset (assign with OFFSET_STORED), as a restarted consumer resumes.
 * argv: bootstrap group topic partition count
 */
export const CONFLUENT_RESUME_SCRIPT = `
import json, sys
from confluent_kafka import Consumer, TopicPartition, OFFSET_STORED
bootstrap, group, topic, partition, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'enable.auto.commit': False, 'auto.offset.reset': 'earliest', 'socket.timeout.ms': 10000})
c.assign([TopicPartition(topic, partition, OFFSET_STORED)])
got = []
for _ in range(200):
    if len(got) >= count:
        break
    m = c.poll(0.1)
    if m is None or m.error():
        continue
    got.append([m.offset(), m.value().decode()])
c.close()
print(json.dumps(got))
`

/**
 * kafka-python: KafkaConsumer.commit() of explicit offsets (generation -1,
 * no group membership), then the admin client's view: the group's offsets,
 * the listed groups, and the lag (end offset minus committed) computed as a
 * user would; a too long metadata string is refused. argv: bootstrap group topic json([[partition, offset], ...])
 */
export const KAFKA_PYTHON_COMMIT_SCRIPT = `
import json, sys
from kafka import KafkaConsumer, KafkaAdminClient, TopicPartition
from kafka.structs import OffsetAndMetadata
bootstrap, group, topic, spec = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False, api_version_auto_timeout_ms=10000, request_timeout_ms=15000)
c.assign([TopicPartition(topic, p) for p, _ in spec])
c.commit({TopicPartition(topic, p): OffsetAndMetadata(o, 'kp') for p, o in spec})
try:
    c.commit({TopicPartition(topic, 0): OffsetAndMetadata(1, 'x' * 5000)})
    too_large = None
except Exception as e:
    too_large = type(e).__name__
ends = c.end_offsets([TopicPartition(topic, p) for p, _ in spec])
c.close()
a = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)
offsets = a.list_consumer_group_offsets(group)
out = {
  'offsets': sorted([[tp.topic, tp.partition, om.offset, om.metadata] for tp, om in offsets.items()]),
  'groups': sorted([g[0] for g in a.list_consumer_groups()]),
  'too_large': too_large,
  'lag': sorted([[tp.partition, ends[tp] - om.offset] for tp, om in offsets.items() if tp.topic == topic]),
}
a.close()
print(json.dumps(out))
`

/** kafka-python admin: the group's committed offsets, and DeleteGroups. argv: bootstrap group */
export const KAFKA_PYTHON_GROUP_ADMIN_SCRIPT = `
import json, sys
from kafka import KafkaAdminClient
bootstrap, group = sys.argv[1], sys.argv[2]
a = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)
out = {'offsets': sorted([[tp.topic, tp.partition, om.offset, om.metadata] for tp, om in a.list_consumer_group_offsets(group).items()])}
out['delete'] = [[g, e.errno] for g, e in a.delete_consumer_groups([group, 'never-existed-group'])]
out['after'] = sorted([g[0] for g in a.list_consumer_groups()])
a.close()
print(json.dumps(out))
`
