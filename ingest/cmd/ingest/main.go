// Command ingest is the Lambda function that stores orders from the SQS queue
// in DynamoDB. It only wires the environment to package handler.
//
// Environment:
//
//	TABLE_NAME            the orders table (required)
//	AWS_LAMBDA_LOG_LEVEL  DEBUG, INFO (default), WARN or ERROR
//	AWS_ENDPOINT_URL      and the other AWS SDK variables, honoured as usual
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/orderflow/orderflow/contracts/lambdalog"
	"github.com/orderflow/orderflow/ingest/internal/handler"
)

func main() {
	log := lambdalog.New(os.Stdout, os.Getenv("AWS_LAMBDA_LOG_LEVEL"))
	table := os.Getenv("TABLE_NAME")
	if table == "" {
		fail(log, "TABLE_NAME is not set: it must name the orders table")
	}
	// LoadDefaultConfig reads the region, credentials and AWS_ENDPOINT_URL
	// (set by localcloud) from the environment Lambda provides.
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		fail(log, "load AWS configuration: "+err.Error())
	}
	h, err := handler.New(handler.Config{
		TableName: table,
		DB:        dynamodb.NewFromConfig(cfg),
		Logger:    log,
	})
	if err != nil {
		fail(log, err.Error())
	}
	lambda.Start(h.Handle)
}

// fail stops the function during init; Lambda reports it as an init error
// with this line in the log.
func fail(log *slog.Logger, msg string) {
	log.Error("ingest cannot start", "reason", msg)
	os.Exit(1)
}
