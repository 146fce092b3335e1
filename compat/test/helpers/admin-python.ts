/**
 * Python scripts for the admin suite (admin-topics.test.ts). Each runs one
 * client's admin calls against the broker given as argv[1], in a fixed
 * order, and prints one JSON object: for every step either the result or
 * the error as the client reports it (code, name, message). The tests
 * assert on that output; the scripts never decide pass or fail.
 */

/** confluent-kafka-python 1.7.0 on librdkafka 2.0.2: AdminClient. */
export const CONFLUENT_ADMIN_SCRIPT = `
import json, sys
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, NewTopic, NewPartitions, ConfigResource

bootstrap = sys.argv[1]
admin = AdminClient({'bootstrap.servers': bootstrap, 'client.id': 'tributary-compat', 'socket.timeout.ms': 10000})
out = {}

def outcome(future):
    try:
        future.result(10)
        return {'ok': True}
    except KafkaException as e:
        err = e.args[0]
        return {'code': err.code(), 'name': err.name(), 'message': err.str()}

def each(futures):
    return {str(k): outcome(f) for k, f in futures.items()}

def partitions(name):
    md = admin.list_topics(timeout=10)
    t = md.topics.get(name)
    return None if t is None else sorted([[p.id, p.leader, list(p.replicas), list(p.isrs)] for p in t.partitions.values()])

def configs(resource, names):
    entries = admin.describe_configs([resource])[resource].result(10)
    return {n: {'value': e.value, 'source': e.source, 'is_default': e.is_default, 'is_read_only': e.is_read_only,
                'synonyms': [[s.name, s.value, s.source] for s in e.synonyms.values()]}
            for n, e in entries.items() if n in names}

out['create'] = each(admin.create_topics([
    NewTopic('ck-a', 3, 1, config={'cleanup.policy': 'compact', 'retention.ms': '3600000'}),
    NewTopic('ck-b', 2, 1),
    NewTopic('ck-manual', 2, replica_assignment=[[1], [1]]),
    NewTopic('ck-zero', 0, 1),
    NewTopic('ck-rf', 1, 3),
    NewTopic('ck-badcfg', 1, 1, config={'compression.type': 'brotli'}),
    NewTopic('ck-unknowncfg', 1, 1, config={'retention.weeks': '2'}),
    NewTopic('bad/name', 1, 1),
], operation_timeout=10))
out['create_again'] = each(admin.create_topics([NewTopic('ck-a', 1, 1)], operation_timeout=10))
out['create_validate_only'] = each(admin.create_topics([NewTopic('ck-dry', 4, 1)], validate_only=True))
out['partitions_after_create'] = {n: partitions(n) for n in ['ck-a', 'ck-b', 'ck-manual', 'ck-dry', 'ck-rf']}

out['grow'] = each(admin.create_partitions([NewPartitions('ck-a', 5), NewPartitions('ck-missing', 2)]))
out['shrink'] = each(admin.create_partitions([NewPartitions('ck-a', 2)]))
out['grow_validate_only'] = each(admin.create_partitions([NewPartitions('ck-b', 8)], validate_only=True))
out['partitions_after_grow'] = {n: partitions(n) for n in ['ck-a', 'ck-b']}

out['topic_configs'] = configs(ConfigResource('topic', 'ck-a'), ['cleanup.policy', 'retention.ms', 'segment.bytes', 'max.message.bytes'])
out['broker_configs'] = configs(ConfigResource('broker', '1'), ['log.retention.hours', 'log.retention.ms', 'num.partitions'])
out['describe_missing'] = outcome(admin.describe_configs([ConfigResource('topic', 'ck-missing')])[ConfigResource('topic', 'ck-missing')])

out['alter_topic'] = each(admin.alter_configs([ConfigResource('topic', 'ck-a', set_config={'retention.ms': '1000'})]))
out['alter_topic_bad'] = each(admin.alter_configs([ConfigResource('topic', 'ck-a', set_config={'retention.ms': 'soon'})]))
out['alter_broker'] = each(admin.alter_configs([ConfigResource('broker', '1', set_config={'log.retention.ms': '7200000'})]))
out['alter_broker_read_only'] = each(admin.alter_configs([ConfigResource('broker', '1', set_config={'num.partitions': '9'})]))
out['topic_configs_after_alter'] = configs(ConfigResource('topic', 'ck-a'), ['cleanup.policy', 'retention.ms'])
out['defaults_after_alter'] = configs(ConfigResource('topic', 'ck-b'), ['retention.ms'])

out['delete'] = each(admin.delete_topics(['ck-a', 'ck-missing'], operation_timeout=10))
out['topics_after_delete'] = sorted(admin.list_topics(timeout=10).topics.keys())
print(json.dumps(out))
`

/** kafka-python 2.0.2: KafkaAdminClient (its version probe settles on 1.0, see FINDINGS.md). */
export const KAFKA_PYTHON_ADMIN_SCRIPT = `
import json, sys
from kafka import KafkaAdminClient
from kafka.admin import NewTopic, NewPartitions, ConfigResource, ConfigResourceType
from kafka.errors import KafkaError

bootstrap = sys.argv[1]
admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id='tributary-compat', api_version_auto_timeout_ms=10000, request_timeout_ms=10000)
out = {}

def attempt(call):
    try:
        call()
        return {'ok': True}
    except KafkaError as e:
        return {'error': type(e).__name__, 'errno': getattr(e, 'errno', None)}

def partitions(names):
    return {t['topic']: [t['error_code'], sorted([[p['partition'], p['leader'], p['replicas']] for p in t['partitions']])]
            for t in admin.describe_topics(names)}

def configs(resource):
    result = admin.describe_configs([resource], include_synonyms=True)[0].resources[0]
    error_code, error_message, _, _, entries = result
    return {'error_code': error_code, 'error_message': error_message,
            'entries': {e[0]: {'value': e[1], 'read_only': e[2], 'source': e[3], 'sensitive': e[4], 'synonyms': [list(s) for s in e[5]]} for e in entries}}

def alter(resource):
    response = admin.alter_configs([resource])
    return [[r[0], r[1]] for r in response.resources]

out['create'] = attempt(lambda: admin.create_topics([NewTopic('kp-a', 3, 1, topic_configs={'cleanup.policy': 'compact'}), NewTopic('kp-b', 2, 1)]))
out['create_manual'] = attempt(lambda: admin.create_topics([NewTopic('kp-manual', -1, -1, replica_assignments={0: [1], 1: [1], 2: [1]})]))
out['create_again'] = attempt(lambda: admin.create_topics([NewTopic('kp-a', 1, 1)]))
out['create_rf'] = attempt(lambda: admin.create_topics([NewTopic('kp-rf', 1, 3)]))
out['create_zero'] = attempt(lambda: admin.create_topics([NewTopic('kp-zero', 0, 1)]))
out['create_badcfg'] = attempt(lambda: admin.create_topics([NewTopic('kp-badcfg', 1, 1, topic_configs={'cleanup.policy': 'shred'})]))
out['create_badname'] = attempt(lambda: admin.create_topics([NewTopic('bad/name', 1, 1)]))
out['create_validate_only'] = attempt(lambda: admin.create_topics([NewTopic('kp-dry', 1, 1)], validate_only=True))
out['partitions_after_create'] = partitions(['kp-a', 'kp-b', 'kp-manual', 'kp-dry'])

out['grow'] = attempt(lambda: admin.create_partitions({'kp-a': NewPartitions(6)}))
out['shrink'] = attempt(lambda: admin.create_partitions({'kp-a': NewPartitions(2)}))
out['grow_missing'] = attempt(lambda: admin.create_partitions({'kp-missing': NewPartitions(2)}))
out['grow_validate_only'] = attempt(lambda: admin.create_partitions({'kp-b': NewPartitions(9)}, validate_only=True))
out['partitions_after_grow'] = partitions(['kp-a', 'kp-b'])

out['topic_configs'] = configs(ConfigResource(ConfigResourceType.TOPIC, 'kp-a', {'cleanup.policy': None, 'retention.ms': None, 'flush.ms': None}))
out['broker_configs'] = configs(ConfigResource(ConfigResourceType.BROKER, '1', {'log.retention.hours': None, 'num.partitions': None}))
out['describe_missing'] = configs(ConfigResource(ConfigResourceType.TOPIC, 'kp-missing'))

out['alter_topic'] = alter(ConfigResource(ConfigResourceType.TOPIC, 'kp-a', {'retention.ms': '1000', 'segment.ms': '3600000'}))
out['alter_topic_bad'] = alter(ConfigResource(ConfigResourceType.TOPIC, 'kp-a', {'max.message.bytes': '-5'}))
out['alter_broker'] = alter(ConfigResource(ConfigResourceType.BROKER, '1', {'log.cleanup.policy': 'compact'}))
out['topic_configs_after_alter'] = configs(ConfigResource(ConfigResourceType.TOPIC, 'kp-a', {'cleanup.policy': None, 'retention.ms': None, 'segment.ms': None}))
out['defaults_after_alter'] = configs(ConfigResource(ConfigResourceType.TOPIC, 'kp-b', {'cleanup.policy': None}))

out['delete'] = attempt(lambda: admin.delete_topics(['kp-a']))
out['delete_missing'] = attempt(lambda: admin.delete_topics(['kp-missing']))
out['topics_after_delete'] = sorted(admin.list_topics())
admin.close()
print(json.dumps(out))
`
