package lambdaapi_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/orderflow/orderflow/tools/localcloud/logs"
)

// A function subscribed to a topic (protocol lambda, with the permission
// SNS needs) is invoked with the SNS event when a message is published.
func TestSNSSubscriptionInvokesFunction(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	role := e.createRole(t, "sns-sub-role")
	fn := e.create(t, "subscriber", role)
	topics := sns.NewFromConfig(e.Config())
	topic, err := topics.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("order-events")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.lambda.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("subscriber"), StatementId: aws.String("sns"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("sns.amazonaws.com"), SourceArn: topic.TopicArn}); err != nil {
		t.Fatal(err)
	}
	sub, err := topics.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("lambda"),
		Endpoint: fn.FunctionArn, ReturnSubscriptionArn: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(aws.ToString(sub.SubscriptionArn), aws.ToString(topic.TopicArn)+":") {
		t.Fatalf("Subscribe: %+v", sub)
	}
	if _, err := topics.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("order-42 placed")}); err != nil {
		t.Fatal(err)
	}
	want := "record aws:sns " + aws.ToString(topic.TopicArn) + " order-42 placed"
	found := errors.New("found")
	err = e.Instance.Logs().Follow(ctx, "/aws/lambda/subscriber", "", 0, func(ev logs.FilteredLogEvent) error {
		if strings.Contains(ev.Message, want) {
			return found
		}
		return nil
	})
	if !errors.Is(err, found) {
		t.Fatalf("follow: %v", err)
	}
	if delivered, dropped := e.Instance.AsyncEvents().Counts(); dropped != 0 {
		t.Fatalf("async events: %d delivered, %d dropped", delivered, dropped)
	}
}
