package dynamodb

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/orderflow/orderflow/tools/localcloud/server"
)

// Authz tells the front door which IAM permissions each operation needs,
// as the Service Authorization Reference lists them: the action
// dynamodb:<Operation> on the table ARN (the index ARN for Query and Scan
// on an index), the action per table for batches and per item for
// transactions, and "*" for operations on no table.
func (s *Service) Authz() server.Authz {
	return server.Authz{Permissions: s.permissions}
}

func (s *Service) permissions(_ context.Context, op string, in any) ([]server.Permission, error) {
	switch v := in.(type) {
	case *BatchWriteItemInput:
		return s.perTable("dynamodb:BatchWriteItem", slices.Sorted(maps.Keys(v.RequestItems))), nil
	case *BatchGetItemInput:
		return s.perTable("dynamodb:BatchGetItem", slices.Sorted(maps.Keys(v.RequestItems))), nil
	case *TransactWriteItemsInput:
		var perms []server.Permission
		for _, it := range v.TransactItems {
			for action, a := range map[string]*TransactWriteAction{"dynamodb:ConditionCheckItem": it.ConditionCheck,
				"dynamodb:PutItem": it.Put, "dynamodb:DeleteItem": it.Delete, "dynamodb:UpdateItem": it.Update} {
				if a != nil {
					perms = append(perms, server.Permission{Action: action, Resource: s.resourceARN(a.TableName)})
				}
			}
		}
		return perms, nil
	case *TransactGetItemsInput:
		var perms []server.Permission
		for _, it := range v.TransactItems {
			if it.Get != nil {
				perms = append(perms, server.Permission{Action: "dynamodb:GetItem", Resource: s.resourceARN(it.Get.TableName)})
			}
		}
		return perms, nil
	}
	switch op {
	case "DescribeEndpoints":
		return nil, nil // AWS answers it without authorization
	case "ListTables", "DescribeLimits":
		return []server.Permission{{Action: "dynamodb:" + op, Resource: "*"}}, nil
	}
	resource := server.InputString(in, "ResourceArn")
	if table := server.InputString(in, "TableName"); table != "" {
		resource = s.resourceARN(table)
		if index := server.InputString(in, "IndexName"); index != "" && (op == "Query" || op == "Scan") {
			resource += "/index/" + index
		}
	}
	return []server.Permission{{Action: "dynamodb:" + op, Resource: resource}}, nil
}

// resourceARN is the ARN of a table given by name or, as DynamoDB also
// accepts, by ARN.
func (s *Service) resourceARN(table string) string {
	if strings.HasPrefix(table, "arn:") {
		return table
	}
	return s.tableArn(table)
}

// perTable is action on each table, in order so that a denial names the
// same table every time.
func (s *Service) perTable(action string, tables []string) []server.Permission {
	perms := make([]server.Permission, 0, len(tables))
	for _, t := range tables {
		perms = append(perms, server.Permission{Action: action, Resource: s.resourceARN(t)})
	}
	return perms
}
