// FindCoordinator (key 10), v0-6. v1: key type, throttle time, error
// message. v2: same as v1. v3: flexible. v4: batched coordinator keys
// (KIP-699). v5: same as v4. v6: share group key type (KIP-932).
//
// Key type 0 (group): the group coordinator is the leader of the group's
// partition of `__consumer_offsets`, which is created on the first lookup
// as Kafka does. Key type 1 (transaction): the leader of the transactional
// id's partition of `__transaction_state`, likewise created on first
// lookup. Other key types are INVALID_REQUEST.
import { ErrorCode, type Input } from '@tributary/protocol'
import { FindCoordinatorApi, type FindCoordinatorResponse, type FindCoordinatorResponseCoordinator } from '@tributary/protocol/apis/find-coordinator'
import { defineHandler, type RequestContext } from './define.js'

const GROUP_KEY = 0
const TRANSACTION_KEY = 1

async function lookup (ctx: RequestContext, key: string, keyType: number): Promise<Input<FindCoordinatorResponseCoordinator>> {
  const self = ctx.broker.advertised.get(ctx.conn.listenerName)
  const out = (errorCode: number, errorMessage: string | null): Input<FindCoordinatorResponseCoordinator> =>
    errorCode === ErrorCode.NONE && self !== undefined
      ? { key, nodeId: ctx.broker.settings.nodeId, host: self.host, port: self.port, errorCode, errorMessage: null }
      : { key, nodeId: -1, host: '', port: -1, errorCode, errorMessage }
  if (keyType === TRANSACTION_KEY) {
    const txns = ctx.broker.transactions
    if (txns === undefined) return out(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The transaction coordinator is not available.')
    const code = await txns.findCoordinator(key)
    return out(code, code === ErrorCode.NONE ? null : 'The transaction coordinator is not available.')
  }
  if (keyType !== GROUP_KEY) return out(ErrorCode.INVALID_REQUEST, `Unknown coordinator key type ${keyType}.`)
  const groups = ctx.broker.groups
  if (groups === undefined) return out(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The group coordinator is not available.')
  const code = await groups.findCoordinator(key)
  return out(code, code === ErrorCode.NONE ? null : 'The group coordinator is not available.')
}

export default defineHandler({
  api: FindCoordinatorApi,
  minVersion: 0,
  maxVersion: 6,
  async handle (req, ctx): Promise<Input<FindCoordinatorResponse>> {
    if (ctx.version >= 4) {
      const coordinators = await Promise.all(req.coordinatorKeys.map(async k => await lookup(ctx, k, req.keyType)))
      return { throttleTimeMs: 0, coordinators }
    }
    const c = await lookup(ctx, req.key, ctx.version >= 1 ? req.keyType : GROUP_KEY)
    return { throttleTimeMs: 0, errorCode: c.errorCode, errorMessage: c.errorMessage, nodeId: c.nodeId, host: c.host, port: c.port }
  }
})
