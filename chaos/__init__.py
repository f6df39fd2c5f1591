"""`make chaos`: the fault run. Orders are driven through the gateway at a set rate while the
stack's processes are killed (-9) and paused in turn; then, once the system is quiet, every
acknowledged command's effect is looked up in the logs, duplicates are counted and the read
models are compared with a fresh rebuild. See README "Reliability"."""
