package sqs

import (
	"encoding/json"
	"errors"

	"github.com/orderflow/orderflow/tools/localcloud/protocol"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func asProtocolError(err error) *protocol.Error {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return pe
	}
	return nil
}
