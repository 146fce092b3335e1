import { Command } from 'commander'
import { collect } from './common/parse.js'
import { lazy, withCommon } from './common/run.js'

/**
 * The command tree (rpk's noun-verb grammar; see
 * shared/reference/anchors-ecosystem.md). Only flags and help live here:
 * each verb's code, and the Kafka client, are imported when that verb
 * runs, so `tributary start` and `--help` never load them.
 */
export function registerClusterCommands (program: Command): void {
  const topic = program.command('topic').description('create, list, describe, change and delete topics')
  withCommon(topic.command('create').argument('<topics...>').description('create topics')
    .option('-p, --partitions <n>', 'partitions (default: the broker\'s num.partitions)')
    .option('-r, --replicas <n>', 'replication factor (default: the broker\'s default.replication.factor)')
    .option('-c, --config <key=value>', 'topic configuration, repeatable', collect)
    .option('--if-not-exists', 'succeed when the topic already exists'))
    .action(lazy(() => import('./topic/create.js')))
  withCommon(topic.command('list').alias('ls').description('list topics')
    .option('-i, --internal', 'include internal topics (__consumer_offsets)'))
    .action(lazy(() => import('./topic/list.js')))
  withCommon(topic.command('describe').argument('<topic>').description('summary, configs and partitions (leader, replicas, ISR, offsets)'))
    .action(lazy(() => import('./topic/describe.js')))
  withCommon(topic.command('delete').argument('<topics...>').description('delete topics'))
    .action(lazy(() => import('./topic/delete.js')))
  withCommon(topic.command('alter-config').argument('<topic>').description('set or remove topic configuration keys')
    .option('-s, --set <key=value>', 'set a key, repeatable', collect)
    .option('-d, --delete <key>', 'remove a key (back to the default), repeatable', collect))
    .action(lazy(() => import('./topic/alter-config.js')))
  withCommon(topic.command('add-partitions').argument('<topic>').description('add partitions to a topic')
    .option('-n, --num <n>', 'how many partitions to add'))
    .action(lazy(() => import('./topic/add-partitions.js')))
  withCommon(topic.command('trim-prefix').argument('<topic>').description('delete the records before an offset (moves the log start offset)')
    .option('-o, --offset <n|end>', 'the new log start offset; end empties the partitions')
    .option('-p, --partitions <list>', 'only these partitions, e.g. 0,2 (default: all)'))
    .action(lazy(() => import('./topic/trim-prefix.js')))

  withCommon(program.command('produce').argument('<topic>').description('produce one record per line from stdin or a file')
    .option('-f, --file <file>', 'read lines from this file (default: stdin)')
    .option('-K, --key-separator <sep>', 'each line is KEY<sep>VALUE (kcat -K, key.separator)')
    .option('-H, --header <key=value>', 'a header on every record, repeatable', collect)
    .option('--header-separator <sep>', 'each line starts with headers k=v,k2=v2<sep>')
    .option('-p, --partition <n>', 'write to this partition (default: by key, sticky without one)')
    .option('-z, --compression <codec>', 'none, gzip, snappy, lz4 or zstd', 'none')
    .option('--acks <acks>', 'all (-1), 1 or 0', 'all'))
    .action(lazy(() => import('./produce/produce.js')))

  withCommon(program.command('consume').argument('<topics...>').description('print records (as a group with --group)')
    .option('-o, --offset <where>', 'beginning, end, an offset, -N (the last N of each partition) or @timestamp (ms or ISO date); with --group only beginning|end, for partitions without a committed offset (default: end)')
    .option('-g, --group <group>', 'consume as a member of this group and commit what was printed')
    .option('--group-protocol <protocol>', 'classic or consumer (KIP-848)', 'classic')
    .option('-n, --num <n>', 'stop after n records')
    .option('-e, --exit', 'stop at the end of the partitions (their log end when consumption started)')
    .option('--idle-timeout <ms>', 'stop after this long without a record')
    .option('-p, --partitions <list>', 'only these partitions, e.g. 0,2 (not with --group)')
    .option('--output <file>', 'write records to a file (a progress bar shows on a terminal)'),
  'json, or a template: %t topic, %p partition, %o offset, %k key, %v value, %h headers, %T timestamp, %K/%S key/value length (default: %v\\n)', '-f, --format <format>')
    .action(lazy(() => import('./consume/consume.js'), { templateFormat: true }))

  const group = program.command('group').description('list, describe, delete consumer groups and move their offsets')
  withCommon(group.command('list').alias('ls').description('list groups'))
    .action(lazy(() => import('./group/list.js')))
  withCommon(group.command('describe').argument('<groups...>').description('members, assignments, offsets and lag per partition'))
    .action(lazy(() => import('./group/describe.js')))
  withCommon(group.command('delete').argument('<groups...>').description('delete groups without active members'))
    .action(lazy(() => import('./group/delete.js')))
  withCommon(group.command('seek').argument('<group>').description('reset a group\'s committed offsets (a dry run unless --execute)')
    .option('--to <where>', 'earliest, latest, an offset or @timestamp (ms or ISO date)')
    .option('--shift-by <n>', 'move each committed offset by n (negative: back)')
    .option('-t, --topic <topic[:p,p]>', 'only this topic (and partitions); repeatable (default: every committed partition)', collect)
    .option('--execute', 'apply the plan'))
    .action(lazy(() => import('./group/seek.js')))

  const cluster = program.command('cluster').description('the cluster as a whole')
  withCommon(cluster.command('info').description('cluster id, controller and brokers'))
    .action(lazy(() => import('./cluster/info.js')))

  const config = program.command('config').description('broker and topic configuration')
  withCommon(config.command('get').argument('[keys...]').description('show configuration (all keys unless some are named)')
    .option('--broker <id>', 'this broker (default: the first)')
    .option('--topic <topic>', 'a topic instead of a broker'))
    .action(lazy(() => import('./config/get.js')))
  withCommon(config.command('set').argument('[pairs...]', 'KEY=VALUE').description('change configuration dynamically')
    .option('--broker <id>', 'this broker (default: the first)')
    .option('--topic <topic>', 'a topic instead of a broker')
    .option('-d, --delete <key>', 'remove a dynamic value, repeatable', collect))
    .action(lazy(() => import('./config/set.js')))

  const bench = program.command('bench').description('throughput and latency benchmarks (kafka-*-perf-test)')
  for (const kind of ['produce', 'consume', 'e2e'] as const) {
    const cmd = withCommon(bench.command(kind).description(kind === 'produce' ? 'send records as fast as the window allows; latency to acknowledgement'
      : kind === 'consume' ? 'read records from the start of the topic; throughput' : 'produce and consume at once; latency from send to receipt')
      .option('-t, --topic <topic>', 'topic (created when missing)', 'tributary-bench')
      .option('-n, --records <n>', 'how many records', '100000')
      .option('-s, --record-size <bytes>', 'value size', '100')
      .option('-p, --partitions <n>', 'partitions when the topic is created', '3')
      .option('--max-in-flight <n>', 'unacknowledged records at most', '5000')
      .option('--records-per-send <n>', 'records in each send() call (1 as in kafka-producer-perf-test)', '1')
      .option('-z, --compression <codec>', 'none, gzip, snappy, lz4 or zstd', 'none')
      .option('--acks <acks>', 'all (-1), 1 or 0', 'all')
      .option('--linger-ms <ms>', 'producer linger.ms', '5')
      .option('--batch-size <bytes>', 'producer batch.size', '65536')
      .option('--html <file>', 'also write the report as an HTML page (latency histogram, throughput over time)'))
    cmd.action(lazy(() => kind === 'produce' ? import('./bench/produce.js') : kind === 'consume' ? import('./bench/consume.js') : import('./bench/e2e.js')))
  }

  program.command('completion').argument('<shell>', 'bash or zsh').description('print a shell completion script')
    .addHelpText('after', '\nbash: source <(tributary completion bash)\nzsh:  tributary completion zsh > "${fpath[1]}/_tributary"')
    .action(async (shell: string) => {
      const { bashScript, zshScript } = await import('./completion/completion.js')
      if (shell === 'bash') process.stdout.write(bashScript(program))
      else if (shell === 'zsh') process.stdout.write(zshScript(program))
      else {
        process.stderr.write(`tributary: unknown shell '${shell}'\n  hint: use bash or zsh\n`)
        process.exitCode = 2
      }
    })
}
