package contracts

import (
	"fmt"

	"github.com/aws/aws-lambda-go/events"
)

// StoredOrderFromStreamImage reads a stored order from a DynamoDB stream
// record's NewImage (or OldImage), as Lambda delivers it. Errors name each
// missing attribute and each attribute of the wrong type; it never panics, even
// though the events package's accessors do on a type mismatch.
func StoredOrderFromStreamImage(image map[string]events.DynamoDBAttributeValue) (StoredOrder, error) {
	if len(image) == 0 {
		return StoredOrder{}, fmt.Errorf("decode stored order: stream record has no image (is the stream view type NEW_IMAGE or NEW_AND_OLD_IMAGES?)")
	}
	return decodeStored(streamImage(image))
}

type streamImage map[string]events.DynamoDBAttributeValue

func (m streamImage) typeOf(name string) (string, bool) {
	av, ok := m[name]
	if !ok {
		return "", false
	}
	return streamTypeName(av.DataType()), true
}

// streamTypeName maps the events package's type enum to DynamoDB's own
// descriptors, so errors read the same whichever representation was decoded.
func streamTypeName(t events.DynamoDBDataType) string {
	switch t {
	case events.DataTypeBinary:
		return "B"
	case events.DataTypeBoolean:
		return "BOOL"
	case events.DataTypeBinarySet:
		return "BS"
	case events.DataTypeList:
		return "L"
	case events.DataTypeMap:
		return "M"
	case events.DataTypeNumber:
		return "N"
	case events.DataTypeNumberSet:
		return "NS"
	case events.DataTypeNull:
		return "NULL"
	case events.DataTypeString:
		return "S"
	case events.DataTypeStringSet:
		return "SS"
	default:
		return fmt.Sprintf("type#%d", t)
	}
}

func (m streamImage) scalar(name string) string {
	av := m[name]
	// Check before calling: Number panics on any other type, and String
	// returns a debug rendering instead of failing.
	switch av.DataType() {
	case events.DataTypeString:
		return av.String()
	case events.DataTypeNumber:
		return av.Number()
	default:
		return ""
	}
}
