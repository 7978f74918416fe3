package sns_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/orderflow/orderflow/tools/localcloud/clock"
	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
	"github.com/orderflow/orderflow/tools/localcloud/mail"
)

type fixture struct {
	env *localcloudtest.Env
	sns *sns.Client
	sqs *sqs.Client
}

func setup(t *testing.T) *fixture {
	env := localcloudtest.Start(t)
	return &fixture{env: env, sns: sns.NewFromConfig(env.Config()), sqs: sqs.NewFromConfig(env.Config())}
}

func (f *fixture) topic(t *testing.T, name string) string {
	t.Helper()
	out, err := f.sns.CreateTopic(context.Background(), &sns.CreateTopicInput{Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.TopicArn)
}

func (f *fixture) queue(t *testing.T, name string) (url, arn string) {
	t.Helper()
	ctx := context.Background()
	out, err := f.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := f.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.QueueUrl), attrs.Attributes["QueueArn"]
}

func (f *fixture) receiveAll(t *testing.T, url string) []sqstypes.Message {
	t.Helper()
	out, err := f.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url),
		MaxNumberOfMessages: 10, MessageAttributeNames: []string{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Messages
}

func (f *fixture) mails(t *testing.T) []mail.Message {
	t.Helper()
	msgs, err := f.env.Instance.Mailbox.List()
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Fatalf("err = %v, want %s", err, code)
	}
}

func TestTopicLifecycle(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	arn := f.topic(t, "order-events")
	if arn != "arn:aws:sns:us-east-1:000000000000:order-events" {
		t.Fatalf("arn = %s", arn)
	}
	if again := f.topic(t, "order-events"); again != arn {
		t.Fatal("CreateTopic is not idempotent")
	}
	f.topic(t, "other")
	list, err := f.sns.ListTopics(ctx, &sns.ListTopicsInput{})
	if err != nil || len(list.Topics) != 2 {
		t.Fatalf("ListTopics = %+v, %v", list, err)
	}
	if _, err := f.sns.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(arn),
		AttributeName: aws.String("DisplayName"), AttributeValue: aws.String("Orders")}); err != nil {
		t.Fatal(err)
	}
	attrs, err := f.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	if err != nil || attrs.Attributes["DisplayName"] != "Orders" || attrs.Attributes["Owner"] != "000000000000" || attrs.Attributes["TopicArn"] != arn {
		t.Fatalf("attributes = %v, %v", attrs, err)
	}
	_, err = f.sns.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(arn), AttributeName: aws.String("Bogus"), AttributeValue: aws.String("x")})
	wantCode(t, err, "InvalidParameter")
	if _, err := f.sns.TagResource(ctx, &sns.TagResourceInput{ResourceArn: aws.String(arn), Tags: []snstypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}, {Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sns.UntagResource(ctx, &sns.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := f.sns.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "team" {
		t.Fatalf("tags = %+v, %v", tags, err)
	}
	_, err = f.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("bad name")})
	var invalid *snstypes.InvalidParameterException
	if !errors.As(err, &invalid) {
		t.Fatalf("bad name: %v", err)
	}
	if _, err := f.sns.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err = f.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	var nf *snstypes.NotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("deleted topic: %v", err)
	}
	_, err = f.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("x")})
	wantCode(t, err, "NotFound")
}

var linkRE = regexp.MustCompile(`http://\S+Action=ConfirmSubscription\S+`)

func TestFanOutToQueueAndEmail(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	topic := f.topic(t, "order-events")
	wrappedURL, wrappedArn := f.queue(t, "wrapped")
	rawURL, rawArn := f.queue(t, "raw")

	sub, err := f.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("sqs"), Endpoint: aws.String(wrappedArn)})
	if err != nil || !strings.HasPrefix(aws.ToString(sub.SubscriptionArn), topic+":") {
		t.Fatalf("sqs subscribe = %v, %v", sub, err)
	}
	if _, err := f.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("sqs"), Endpoint: aws.String(rawArn),
		Attributes: map[string]string{"RawMessageDelivery": "true", "FilterPolicy": `{"event":["order_placed"]}`}}); err != nil {
		t.Fatal(err)
	}
	pending, err := f.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("email"), Endpoint: aws.String("customer@example.com")})
	if err != nil || aws.ToString(pending.SubscriptionArn) != "pending confirmation" {
		t.Fatalf("email subscribe = %v, %v", pending, err)
	}
	_, err = f.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("sms"), Endpoint: aws.String("+15555550100")})
	wantCode(t, err, "InvalidParameter")

	// The confirmation mail carries a link that confirms when fetched, unsigned.
	mails := f.mails(t)
	if len(mails) != 1 || mails[0].To != "customer@example.com" || mails[0].Subject != "AWS Notification - Subscription Confirmation" {
		t.Fatalf("mailbox after subscribe = %+v", mails)
	}
	link := linkRE.FindString(mails[0].Body)
	if !strings.HasPrefix(link, f.env.URL+"/?") {
		t.Fatalf("no confirmation link in %q", mails[0].Body)
	}
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<SubscriptionArn>"+topic+":") {
		t.Fatalf("confirm link: %d %s", resp.StatusCode, body)
	}
	subs, err := f.sns.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
	if err != nil || len(subs.Subscriptions) != 3 {
		t.Fatalf("subscriptions = %+v, %v", subs, err)
	}
	for _, s := range subs.Subscriptions {
		if aws.ToString(s.SubscriptionArn) == "PendingConfirmation" {
			t.Fatalf("still pending after confirm: %+v", s)
		}
	}

	pub, err := f.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Subject: aws.String("Order received"),
		Message:           aws.String(`{"orderID":"o-1"}`),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{"event": {DataType: aws.String("String"), StringValue: aws.String("order_placed")}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("cancelled"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{"event": {DataType: aws.String("String"), StringValue: aws.String("order_cancelled")}}}); err != nil {
		t.Fatal(err)
	}

	wrapped := f.receiveAll(t, wrappedURL)
	if len(wrapped) != 2 {
		t.Fatalf("wrapped queue got %d messages, want 2", len(wrapped))
	}
	var env struct {
		Type, MessageID, TopicArn, Subject, Message, UnsubscribeURL string
		MessageAttributes                                           map[string]struct{ Type, Value string }
	}
	if err := json.Unmarshal([]byte(aws.ToString(wrapped[0].Body)), &env); err != nil {
		t.Fatal(err)
	}
	if env.Type != "Notification" || env.TopicArn != topic || env.Message != `{"orderID":"o-1"}` || env.Subject != "Order received" ||
		env.MessageAttributes["event"].Value != "order_placed" {
		t.Fatalf("envelope = %+v", env)
	}
	raw := f.receiveAll(t, rawURL)
	if len(raw) != 1 || aws.ToString(raw[0].Body) != `{"orderID":"o-1"}` || aws.ToString(raw[0].MessageAttributes["event"].StringValue) != "order_placed" {
		t.Fatalf("raw filtered queue got %+v", raw)
	}

	mails = f.mails(t)
	if len(mails) != 3 {
		t.Fatalf("mailbox holds %d mails, want confirmation + 2 notifications", len(mails))
	}
	if mails[1].Subject != "Order received" || !strings.HasPrefix(mails[1].Body, `{"orderID":"o-1"}`) || !strings.Contains(mails[1].Body, "Action=Unsubscribe") {
		t.Fatalf("notification mail = %+v", mails[1])
	}
	if aws.ToString(pub.MessageId) == "" {
		t.Fatal("no message id")
	}

	if _, err := f.sns.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: sub.SubscriptionArn}); err != nil {
		t.Fatal(err)
	}
	_, err = f.sns.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: sub.SubscriptionArn})
	wantCode(t, err, "NotFound")
}

func TestSubscriptionAttributesAndPublishBatch(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	topic := f.topic(t, "t")
	url, arn := f.queue(t, "q")
	sub, err := f.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("sqs"), Endpoint: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	for name, value := range map[string]string{"RawMessageDelivery": "true", "FilterPolicyScope": "MessageBody", "FilterPolicy": `{"kind":["a"]}`} {
		if _, err := f.sns.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: sub.SubscriptionArn,
			AttributeName: aws.String(name), AttributeValue: aws.String(value)}); err != nil {
			t.Fatalf("set %s: %v", name, err)
		}
	}
	_, err = f.sns.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: sub.SubscriptionArn,
		AttributeName: aws.String("FilterPolicy"), AttributeValue: aws.String(`{"kind":"a"}`)})
	wantCode(t, err, "InvalidParameter")
	attrs, err := f.sns.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: sub.SubscriptionArn})
	if err != nil || attrs.Attributes["RawMessageDelivery"] != "true" || attrs.Attributes["Protocol"] != "sqs" || attrs.Attributes["Endpoint"] != arn {
		t.Fatalf("subscription attributes = %v, %v", attrs, err)
	}

	out, err := f.sns.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: aws.String(topic), PublishBatchRequestEntries: []snstypes.PublishBatchRequestEntry{
		{Id: aws.String("1"), Message: aws.String(`{"kind":"a","n":1}`)},
		{Id: aws.String("2"), Message: aws.String(`{"kind":"b","n":2}`)},
		{Id: aws.String("3"), Message: aws.String(`{"default":"{\"kind\":\"z\"}","sqs":"{\"kind\":\"a\",\"n\":3}"}`), MessageStructure: aws.String("json")},
		{Id: aws.String("4"), Message: aws.String(`{"sqs":"no default"}`), MessageStructure: aws.String("json")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Successful) != 3 || len(out.Failed) != 1 || aws.ToString(out.Failed[0].Id) != "4" || aws.ToString(out.Failed[0].Code) != "InvalidParameter" {
		t.Fatalf("batch = %+v", out)
	}
	got := f.receiveAll(t, url)
	bodies := map[string]bool{}
	for _, m := range got {
		bodies[aws.ToString(m.Body)] = true
	}
	if len(got) != 2 || !bodies[`{"kind":"a","n":1}`] || !bodies[`{"kind":"a","n":3}`] {
		t.Fatalf("queue got %v", bodies)
	}
	var entries []snstypes.PublishBatchRequestEntry
	for range 11 {
		entries = append(entries, snstypes.PublishBatchRequestEntry{Id: aws.String("x"), Message: aws.String("m")})
	}
	_, err = f.sns.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: aws.String(topic), PublishBatchRequestEntries: entries})
	wantCode(t, err, "TooManyEntriesInBatchRequest")
	_, err = f.sns.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: aws.String(topic), PublishBatchRequestEntries: entries[:2]})
	wantCode(t, err, "BatchEntryIdsNotDistinct")
}

func TestHTTPDeliveryWithRetries(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	topic := f.topic(t, "t")
	type hit struct {
		kind string
		body string
	}
	hits := make(chan hit, 10)
	failures := 2
	var confirmErr error
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		kind := r.Header.Get("X-Amz-Sns-Message-Type")
		if kind == "SubscriptionConfirmation" {
			var doc struct{ SubscribeURL string }
			_ = json.Unmarshal(b, &doc)
			resp, err := http.Get(doc.SubscribeURL)
			if err == nil {
				resp.Body.Close()
			}
			confirmErr = err
		} else if failures > 0 {
			failures--
			w.WriteHeader(http.StatusInternalServerError)
		}
		hits <- hit{kind, string(b)}
	}))
	defer endpoint.Close()

	if _, err := f.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("http"), Endpoint: aws.String(endpoint.URL + "/hook")}); err != nil {
		t.Fatal(err)
	}
	if h := <-hits; h.kind != "SubscriptionConfirmation" || confirmErr != nil {
		t.Fatalf("first hit = %+v (%v)", h, confirmErr)
	}
	subs, err := f.sns.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
	if err != nil || len(subs.Subscriptions) != 1 || aws.ToString(subs.Subscriptions[0].SubscriptionArn) == "PendingConfirmation" {
		t.Fatalf("after confirmation: %+v, %v", subs, err)
	}
	if _, err := f.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("hello")}); err != nil {
		t.Fatal(err)
	}
	for attempt := 1; attempt <= 3; attempt++ {
		h := <-hits
		if h.kind != "Notification" || !strings.Contains(h.body, `"Message":"hello"`) {
			t.Fatalf("attempt %d: %+v", attempt, h)
		}
		if attempt < 3 {
			// The retry waits 20 s on the service clock; advance it once the
			// timer is set.
			waitPending(t, f.env.Clock, 20*time.Second)
			f.env.Clock.Advance(20 * time.Second)
		}
	}
	select {
	case h := <-hits:
		t.Fatalf("delivered again after success: %+v", h)
	default:
	}
}

func TestEmailJSONConfirmByTokenAndAuthenticatedUnsubscribe(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	topic := f.topic(t, "t")
	if _, err := f.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("email-json"), Endpoint: aws.String("robot@example.com")}); err != nil {
		t.Fatal(err)
	}
	mails := f.mails(t)
	if len(mails) != 1 {
		t.Fatalf("mailbox = %+v", mails)
	}
	var confirmation struct{ Type, Token, TopicArn, SubscribeURL string }
	if err := json.Unmarshal([]byte(mails[0].Body), &confirmation); err != nil {
		t.Fatalf("email-json confirmation is not JSON: %v\n%s", err, mails[0].Body)
	}
	if confirmation.Type != "SubscriptionConfirmation" || confirmation.TopicArn != topic || confirmation.Token == "" {
		t.Fatalf("confirmation = %+v", confirmation)
	}
	_, err := f.sns.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: aws.String(topic), Token: aws.String("wrong")})
	wantCode(t, err, "InvalidParameter")
	confirmed, err := f.sns.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: aws.String(topic), Token: aws.String(confirmation.Token),
		AuthenticateOnUnsubscribe: aws.String("true")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("for robots")}); err != nil {
		t.Fatal(err)
	}
	mails = f.mails(t)
	var note struct{ Type, Message, UnsubscribeURL string }
	if len(mails) != 2 || json.Unmarshal([]byte(mails[1].Body), &note) != nil || note.Type != "Notification" || note.Message != "for robots" {
		t.Fatalf("email-json notification = %+v", mails)
	}
	// The unsubscribe link is refused unsigned: the subscription was
	// confirmed with AuthenticateOnUnsubscribe.
	resp, err := http.Get(note.UnsubscribeURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "<Code>AuthorizationError</Code>") {
		t.Fatalf("unsigned unsubscribe: %d %s", resp.StatusCode, body)
	}
	if _, err := f.sns.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: confirmed.SubscriptionArn}); err != nil {
		t.Fatalf("signed unsubscribe: %v", err)
	}
}

func TestHTTPDeliveryResumesAfterRestartAndDeadLetters(t *testing.T) {
	dir := t.TempDir()
	env := localcloudtest.Start(t, localcloudtest.Options{DataDir: dir})
	f := &fixture{env: env, sns: sns.NewFromConfig(env.Config()), sqs: sqs.NewFromConfig(env.Config())}
	ctx := context.Background()
	topic := f.topic(t, "t")
	dlqURL, dlqArn := f.queue(t, "sub-dlq")
	hits := make(chan string, 20)
	accept := make(chan bool, 20)
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Header.Get("X-Amz-Sns-Message-Type") == "SubscriptionConfirmation" {
			var doc struct{ SubscribeURL string }
			_ = json.Unmarshal(b, &doc)
			if resp, err := http.Get(doc.SubscribeURL); err == nil {
				resp.Body.Close()
			}
			hits <- "confirm"
			return
		}
		if !<-accept {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		hits <- string(b)
	}))
	defer endpoint.Close()
	_, err := f.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("http"),
		Endpoint: aws.String(endpoint.URL),
		Attributes: map[string]string{
			"DeliveryPolicy": `{"healthyRetryPolicy":{"numRetries":1,"minDelayTarget":5,"maxDelayTarget":5}}`,
			"RedrivePolicy":  `{"deadLetterTargetArn":"` + dlqArn + `"}`,
		}})
	if err != nil {
		t.Fatal(err)
	}
	if h := <-hits; h != "confirm" {
		t.Fatalf("first hit %q", h)
	}
	if _, err := f.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("survives restarts")}); err != nil {
		t.Fatal(err)
	}
	accept <- false
	<-hits
	waitPending(t, env.Clock, 20*time.Second) // the retry is scheduled
	env.Stop()

	// The pending retry was stored; a new instance on the same data
	// directory picks it up.
	env = localcloudtest.Start(t, localcloudtest.Options{DataDir: dir})
	f = &fixture{env: env, sns: sns.NewFromConfig(env.Config()), sqs: sqs.NewFromConfig(env.Config())}
	waitPending(t, env.Clock, 20*time.Second)
	env.Clock.Advance(10 * time.Second)
	accept <- false // the last retry fails too: dead-letter it
	if h := <-hits; !strings.Contains(h, "survives restarts") {
		t.Fatalf("resumed delivery = %q", h)
	}
	var dl []sqstypes.Message
	for range 1000 { // the dead-letter send follows the failed POST
		if dl = f.receiveAll(t, dlqURL); len(dl) > 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if len(dl) != 1 || !strings.Contains(aws.ToString(dl[0].Body), "survives restarts") {
		t.Fatalf("subscription DLQ holds %+v", dl)
	}
}

// waitPending waits until a timer is due within d on the manual clock (a delivery retry),
// ignoring housekeeping timers minutes ahead; it fails the test after 30 s.
func waitPending(t *testing.T, c *clock.Manual, d time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); c.PendingWithin(d) == 0; {
		if time.Now().After(deadline) {
			t.Fatal("no retry scheduled within 30s")
		}
		time.Sleep(time.Millisecond)
	}
}
