package emulator

import "syscall"

// sysProcAttr puts the child in its own process group, so Stop can signal
// the whole group, and asks the kernel to SIGKILL it if the Go process dies
// (a killed test binary or `make run` must not leave java running).
//
// Pdeathsig fires when the OS thread that started the child exits; the Go
// runtime does not exit threads unless a goroutine locked to one ends while
// still locked, which this package never does.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
