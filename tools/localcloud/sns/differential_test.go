package sns_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"

	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

// TestDifferentialMoto runs the same SNS calls against localcloud and
// moto_server and compares the error codes and shapes a client sees.
func TestDifferentialMoto(t *testing.T) {
	motoURL := localcloudtest.StartMoto(t)
	env := localcloudtest.Start(t)
	ctx := context.Background()
	code := func(err error) string {
		var ae smithy.APIError
		if errors.As(err, &ae) {
			return ae.ErrorCode()
		}
		if err != nil {
			return "non-API error: " + err.Error()
		}
		return "ok"
	}
	observe := func(c *sns.Client) map[string]string {
		o := map[string]string{}
		topic, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("diff")})
		if err != nil {
			t.Fatal(err)
		}
		// Account IDs differ (moto's is fixed); compare the rest.
		arn := aws.ToString(topic.TopicArn)
		o["topic arn shape"] = fmt.Sprint(len(arn) > 0 && arn[:len("arn:aws:sns:us-east-1:")] == "arn:aws:sns:us-east-1:" && arn[len(arn)-5:] == ":diff")
		missing := aws.String(aws.ToString(topic.TopicArn) + "-missing")
		_, err = c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: missing})
		o["attributes of missing topic"] = code(err)
		_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: missing, Message: aws.String("x")})
		o["publish to missing topic"] = code(err)
		_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String(`{"sqs":"x"}`), MessageStructure: aws.String("json")})
		o["json structure without default"] = code(err)
		_, err = c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("bad name!")})
		o["bad topic name"] = code(err)
		sub, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("email"), Endpoint: aws.String("a@example.com")})
		o["email subscribe"] = code(err)
		if err == nil {
			o["email subscription arn"] = aws.ToString(sub.SubscriptionArn)
		}
		_, err = c.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: topic.TopicArn, AttributeName: aws.String("DisplayName"), AttributeValue: aws.String("D")})
		o["set display name"] = code(err)
		attrs, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: topic.TopicArn})
		if err == nil {
			o["display name"] = attrs.Attributes["DisplayName"]
			o["pending"] = attrs.Attributes["SubscriptionsPending"]
		}
		out, err := c.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: topic.TopicArn, PublishBatchRequestEntries: []snstypes.PublishBatchRequestEntry{
			{Id: aws.String("a"), Message: aws.String("m")}, {Id: aws.String("a"), Message: aws.String("m")}}})
		o["batch duplicate ids"] = code(err)
		o["batch output"] = fmt.Sprint(out != nil)
		_, err = c.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: topic.TopicArn})
		o["delete topic"] = code(err)
		return o
	}
	lc := observe(sns.NewFromConfig(env.Config()))
	moto := observe(sns.NewFromConfig(localcloudtest.Config(motoURL, "test", "test")))
	t.Logf("moto: %v\nlocalcloud: %v", moto, lc)
	// Where moto departs from AWS, localcloud follows AWS's documentation.
	motoDeviations := map[string]string{
		// E-mail subscriptions stay pending until the mailed link is
		// followed; moto confirms them at once.
		"email subscription arn": "pending confirmation",
		"pending":                "1",
		// "If you set MessageStructure to json, the value of the Message
		// parameter must ... contain at least a top-level JSON key of
		// "default""; moto accepts the message.
		"json structure without default": "InvalidParameter",
	}
	for k, want := range moto {
		if documented, ok := motoDeviations[k]; ok {
			want = documented
		}
		if have := lc[k]; have != want {
			t.Errorf("%s: localcloud %q, want %q (moto %q)", k, have, want, moto[k])
		}
	}
}
