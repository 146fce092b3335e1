// DescribeCluster (key 60), v0-1 (KIP-700: the cluster view without
// Metadata's topic list). v0 is flexible. v1: endpoint_type (KIP-919):
// a broker answers requests for broker endpoints (1); a request for
// controller endpoints (2) gets MISMATCHED_ENDPOINT_TYPE and an unknown
// type UNSUPPORTED_ENDPOINT_TYPE (INVALID_REQUEST in v0), as in Kafka's
// AuthHelper.computeDescribeClusterResponse. The controller id is this
// node: in KRaft a broker names a live broker there, since clients cannot
// reach the controllers (KIP-590). Authorized operations are bits of
// AclOperation (KIP-430), sent when asked for.
import { ErrorCode } from '@tributary/protocol'
import { DescribeClusterApi } from '@tributary/protocol/apis/describe-cluster'
import { CLUSTER_OPERATIONS, UNSET_OPERATIONS } from '../auth/acl-operations.js'
import { defineHandler } from './define.js'

const BROKER_ENDPOINT = 1
const CONTROLLER_ENDPOINT = 2

export default defineHandler({
  api: DescribeClusterApi,
  minVersion: 0,
  maxVersion: 1,
  handle (req, ctx) {
    const { broker, version } = ctx
    const image = broker.metadata.image()
    // v0 has no endpoint type; the codec fills in the default, BROKER.
    const requested = version >= 1 ? req.endpointType : BROKER_ENDPOINT
    if (requested !== BROKER_ENDPOINT) {
      const known = requested === CONTROLLER_ENDPOINT
      return {
        errorCode: version === 0 ? ErrorCode.INVALID_REQUEST : known ? ErrorCode.MISMATCHED_ENDPOINT_TYPE : ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
        errorMessage: known
          ? 'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER'
          : `Unsupported endpoint type ${requested}`,
        clusterId: '',
        brokers: []
      }
    }
    const self = broker.advertised.get(ctx.conn.listenerName)
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      endpointType: BROKER_ENDPOINT,
      clusterId: image.clusterId,
      controllerId: image.controllerId,
      brokers: self === undefined ? [] : [{ brokerId: broker.settings.nodeId, host: self.host, port: self.port, rack: broker.settings.rack }],
      clusterAuthorizedOperations: req.includeClusterAuthorizedOperations ? CLUSTER_OPERATIONS : UNSET_OPERATIONS
    }
  }
})
