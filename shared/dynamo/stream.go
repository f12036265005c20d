package dynamo

import (
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gcconboard/gcconboard/shared/store"
)

// DecodeStreamImage reads a stream record's item image into out (a pointer to a struct) exactly
// as Get would, so a stream handler uses the same entity type as the code that wrote it.
func DecodeStreamImage(image map[string]events.DynamoDBAttributeValue, out any) error {
	m, err := streamImage(image)
	if err != nil {
		return err
	}
	if err := decoder.Decode(&types.AttributeValueMemberM{Value: m}, out); err != nil {
		return fmt.Errorf("dynamo: decode stream image: %w", err)
	}
	return nil
}

// StreamKey returns the primary key of a stream record's image (its Keys, NewImage or OldImage).
func StreamKey(image map[string]events.DynamoDBAttributeValue) (store.Key, error) {
	pk, okP := image[store.AttrPK]
	sk, okS := image[store.AttrSK]
	if !okP || !okS || pk.DataType() != events.DataTypeString || sk.DataType() != events.DataTypeString {
		return store.Key{}, fmt.Errorf("dynamo: stream image has no string %s and %s", store.AttrPK, store.AttrSK)
	}
	return store.Key{PK: pk.String(), SK: sk.String()}, nil
}

func streamImage(image map[string]events.DynamoDBAttributeValue) (map[string]types.AttributeValue, error) {
	m := make(map[string]types.AttributeValue, len(image))
	for name, v := range image {
		av, err := fromStreamAttr(v)
		if err != nil {
			return nil, fmt.Errorf("dynamo: stream attribute %q: %w", name, err)
		}
		m[name] = av
	}
	return m, nil
}

// fromStreamAttr converts the Lambda event's attribute value to the SDK's, which the
// attributevalue decoder understands.
func fromStreamAttr(v events.DynamoDBAttributeValue) (types.AttributeValue, error) {
	switch v.DataType() {
	case events.DataTypeString:
		return &types.AttributeValueMemberS{Value: v.String()}, nil
	case events.DataTypeNumber:
		return &types.AttributeValueMemberN{Value: v.Number()}, nil
	case events.DataTypeBoolean:
		return &types.AttributeValueMemberBOOL{Value: v.Boolean()}, nil
	case events.DataTypeNull:
		return &types.AttributeValueMemberNULL{Value: true}, nil
	case events.DataTypeBinary:
		return &types.AttributeValueMemberB{Value: v.Binary()}, nil
	case events.DataTypeStringSet:
		return &types.AttributeValueMemberSS{Value: v.StringSet()}, nil
	case events.DataTypeNumberSet:
		return &types.AttributeValueMemberNS{Value: v.NumberSet()}, nil
	case events.DataTypeBinarySet:
		return &types.AttributeValueMemberBS{Value: v.BinarySet()}, nil
	case events.DataTypeList:
		l := v.List()
		out := make([]types.AttributeValue, len(l))
		for i, e := range l {
			av, err := fromStreamAttr(e)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = av
		}
		return &types.AttributeValueMemberL{Value: out}, nil
	case events.DataTypeMap:
		m, err := streamImage(v.Map())
		if err != nil {
			return nil, err
		}
		return &types.AttributeValueMemberM{Value: m}, nil
	}
	return nil, fmt.Errorf("unsupported stream attribute type %d", v.DataType())
}
