import { DiskLog } from '../../src/disk-log.js'
import { registerOpfuzz } from './runner.js'

// Restart is close and open of the same directory; compaction steps join in once DiskLog has compact().
registerOpfuzz({
  name: 'DiskLog',
  open: ({ dir, config }) => DiskLog.open(dir, config),
  reopen: ({ dir, config }) => DiskLog.open(dir, config)
})
