import { DiskLog } from '../../src/disk-log.js'
import { runLogContract } from './log-contract.js'

// The same directory opened again is the restart: whatever DiskLog keeps on disk must bring the log back.
runLogContract('DiskLog', ({ dir, config }) => DiskLog.open(dir, config), ({ dir, config }) => DiskLog.open(dir, config))
