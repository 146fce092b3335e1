import type { Handler } from './define.js'
import alterConfigs from './alter-configs.js'
import apiVersions from './api-versions.js'
import createPartitions from './create-partitions.js'
import createTopics from './create-topics.js'
import deleteRecords from './delete-records.js'
import deleteTopics from './delete-topics.js'
import describeCluster from './describe-cluster.js'
import describeConfigs from './describe-configs.js'
import describeGroups from './describe-groups.js'
import describeLogDirs from './describe-log-dirs.js'
import describeProducers from './describe-producers.js'
import describeTopicPartitions from './describe-topic-partitions.js'
import fetch from './fetch.js'
import consumerGroupDescribe from './consumer-group-describe.js'
import consumerGroupHeartbeat from './consumer-group-heartbeat.js'
import deleteGroups from './delete-groups.js'
import findCoordinator from './find-coordinator.js'
import heartbeat from './heartbeat.js'
import listGroups from './list-groups.js'
import offsetCommit from './offset-commit.js'
import offsetDelete from './offset-delete.js'
import offsetFetch from './offset-fetch.js'
import incrementalAlterConfigs from './incremental-alter-configs.js'
import initProducerId from './init-producer-id.js'
import joinGroup from './join-group.js'
import leaveGroup from './leave-group.js'
import listOffsets from './list-offsets.js'
import metadata from './metadata.js'
import offsetForLeaderEpoch from './offset-for-leader-epoch.js'
import produce from './produce.js'
import syncGroup from './sync-group.js'
import addOffsetsToTxn from './add-offsets-to-txn.js'
import addPartitionsToTxn from './add-partitions-to-txn.js'
import endTxn from './end-txn.js'
import txnOffsetCommit from './txn-offset-commit.js'
import describeTransactions from './describe-transactions.js'
import listTransactions from './list-transactions.js'

/**
 * The one list of APIs the broker serves. ApiVersions, dispatch and
 * docs/protocol-coverage.md are all derived from it: a new API is one
 * handler file and one line here.
 */
export const handlers: readonly Handler[] = [
  apiVersions,
  metadata,
  createTopics,
  deleteTopics,
  createPartitions,
  describeConfigs,
  alterConfigs,
  incrementalAlterConfigs,
  describeCluster,
  describeTopicPartitions,
  describeLogDirs,
  produce,
  initProducerId,
  describeProducers,
  fetch,
  listOffsets,
  offsetForLeaderEpoch,
  deleteRecords,
  // Transaction coordinator
  addPartitionsToTxn,
  addOffsetsToTxn,
  endTxn,
  txnOffsetCommit,
  describeTransactions,
  listTransactions,
  // Group coordinator
  findCoordinator,
  offsetCommit,
  offsetFetch,
  offsetDelete,
  listGroups,
  deleteGroups,
  joinGroup,
  syncGroup,
  heartbeat,
  leaveGroup,
  describeGroups,
  consumerGroupHeartbeat,
  consumerGroupDescribe
]

const byKey: (Handler | undefined)[] = []
for (const h of handlers) {
  if (byKey[h.api.apiKey] !== undefined) throw new Error(`two handlers for API key ${h.api.apiKey}`)
  byKey[h.api.apiKey] = h
}

export function handlerFor (apiKey: number): Handler | undefined {
  return apiKey >= 0 ? byKey[apiKey] : undefined
}
