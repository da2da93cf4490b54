package monitoringapi

import (
	"testing"

	"github.com/partnership-grants/backend/pkg/dev/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }
