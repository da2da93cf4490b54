//go:build unix && !linux

package emulator

import "syscall"

// sysProcAttr puts the child in its own process group, so Stop can signal
// the whole group. There is no parent-death signal outside Linux: call Stop
// (testenv.Main does) or the emulator outlives its parent.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
