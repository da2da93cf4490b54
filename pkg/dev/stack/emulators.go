package stack

import "github.com/partnership-grants/backend/pkg/dev/emulator"

// started is an emulator starting on a goroutine of its own.
type started struct {
	done     chan struct{}
	proc     *emulator.Process
	endpoint string
	err      error
}

// startProc starts an emulator with start while the caller goes on.
func startProc(start func() (*emulator.Process, string, error)) *started {
	s := &started{done: make(chan struct{})}
	go func() {
		defer close(s.done)
		s.proc, s.endpoint, s.err = start()
	}()
	return s
}

// wait is the emulator once it answers (or failed to).
func (s *started) wait() (*emulator.Process, string, error) {
	<-s.done
	return s.proc, s.endpoint, s.err
}

// keep makes Stop stop p (nil: nothing started).
func (st *Stack) keep(p *emulator.Process) {
	if p != nil {
		st.procs = append(st.procs, p)
	}
}
