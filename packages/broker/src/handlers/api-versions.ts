// ApiVersions (key 18), v0-4.
// v1: throttle time. v3: flexible; the client sends its software name and
// version (KIP-511); supported/finalized features as tagged fields (KIP-584).
// The response header is always v0 so that a client that does not yet know
// the broker's versions can read it. An unsupported version is answered
// by the dispatcher with UNSUPPORTED_VERSION in v0 (see dispatcher.ts).
import { ErrorCode } from '@tributary/protocol'
import { ApiVersionsApi } from '@tributary/protocol/apis/api-versions'
import { defineHandler } from './define.js'
import { advertisedApiVersions } from './advertised.js'

// KIP-511: the software name and version must match this pattern.
const SOFTWARE_PATTERN = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/

export default defineHandler({
  api: ApiVersionsApi,
  minVersion: 0,
  maxVersion: 4,
  handle (req, ctx) {
    if (ctx.version >= 3 && (!SOFTWARE_PATTERN.test(req.clientSoftwareName) || !SOFTWARE_PATTERN.test(req.clientSoftwareVersion))) {
      return { errorCode: ErrorCode.INVALID_REQUEST, apiKeys: [] }
    }
    return { errorCode: ErrorCode.NONE, apiKeys: advertisedApiVersions() }
  }
})
