package vtl

import (
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

const tutorialBody = `{"item": "latex gloves","customerID":"12345"}`

const petsBody = `{"item":"latex gloves","quantity":2,` +
	`"pets":[{"id":1,"type":"dog","price":249.99},{"id":2,"type":"cat","price":124.99}],` +
	`"nested":{"a":{"b":"deep"}},"big":1e2,"text":"it's"}`

func testVars(body string) *Vars {
	return &Vars{
		Input: Input{
			Body:        body,
			Path:        map[string]string{"id": "abc"},
			QueryString: map[string]string{"name": "Ann", "q": "x y"},
			Header:      map[string]string{"Idempotency-Key": "key-1", "User-Agent": "curl/8.0"},
		},
		Context: Context{
			AccountID:        "000000000000",
			APIID:            "a1b2c3",
			HTTPMethod:       "POST",
			Path:             "/prod/orders",
			RequestID:        "req-123",
			RequestTime:      "14/Nov/2023:22:13:20 +0000",
			RequestTimeEpoch: 1700000000000,
			ResourceID:       "r1",
			ResourcePath:     "/orders",
			Stage:            "prod",
			Identity:         Identity{SourceIP: "192.0.2.1", UserAgent: "curl/8.0", APIKey: "k", APIKeyID: "kid"},
			Error:            ContextError{Message: "Invalid request body", ValidationErrorString: "[x]"},
		},
		StageVariables: map[string]string{"env": "test"},
	}
}

func render(t *testing.T, src string, v *Vars) string {
	t.Helper()
	tm, err := Parse(src)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	out, err := tm.Render(v)
	if err != nil {
		t.Fatalf("Render(%q): %v", src, err)
	}
	return out
}

func TestRender(t *testing.T) {
	tests := []struct {
		name, src, want string
		body            string // defaults to petsBody
	}{
		// references
		{name: "plain text", src: "hello, world", want: "hello, world"},
		{name: "context variable", src: "$context.requestId", want: "req-123"},
		{name: "formal reference", src: "${context.requestId}x", want: "req-123x"},
		{name: "undefined renders literally", src: "a $nope b", want: "a $nope b"},
		{name: "undefined formal renders literally", src: "${nope}", want: "${nope}"},
		{name: "quiet undefined renders empty", src: "[$!nope][$!{nope}]", want: "[][]"},
		{name: "undefined property chain", src: "$context.nope.deeper", want: "$context.nope.deeper"},
		{name: "reference ends at non-identifier", src: "$context.stage.", want: "prod."},
		{name: "dollar without identifier", src: "cost: $5 $ $!", want: "cost: $5 $ $!"},
		{name: "hyphen belongs to the identifier", src: "#set($a = 1)$a-b ${a}-b", want: "$a-b 1-b"},
		{name: "identity", src: "$context.identity.sourceIp $context.identity.userAgent $context.identity.apiKey $context.identity.apiKeyId", want: "192.0.2.1 curl/8.0 k kid"},
		{name: "request time", src: "$context.requestTime $context.requestTimeEpoch", want: "14/Nov/2023:22:13:20 +0000 1700000000000"},
		{name: "error variables", src: "$context.error.message $context.error.messageString $context.error.validationErrorString", want: `Invalid request body "Invalid request body" [x]`},
		{name: "stage variables", src: "$stageVariables.env ${stageVariables['env']} $stageVariables['env']", want: "test test test"},

		// $input
		{name: "params by name in documented order", src: "$input.params('id') $input.params('name') $input.params('Idempotency-Key')", want: "abc Ann key-1"},
		{name: "header lookup ignores case", src: "$input.params('idempotency-key')", want: "key-1"},
		{name: "missing param is empty", src: "[$input.params('missing')]", want: "[]"},
		{name: "params map", src: "$input.params().path $input.params().querystring.q $input.params().header.get('User-Agent')", want: "{id=abc} x y curl/8.0"},
		{name: "json whole body", src: "$input.json('$')", body: tutorialBody, want: `{"item":"latex gloves","customerID":"12345"}`},
		{name: "json property", src: "$input.json('$.item')", want: `"latex gloves"`},
		{name: "json bracket property", src: `$input.json("$['item']")`, want: `"latex gloves"`},
		{name: "json index", src: "$input.json('$.pets[1].type') $input.json('$.pets[-1].id')", want: `"cat" 2`},
		{name: "json wildcard", src: "$input.json('$.pets[*].type')", want: `["dog","cat"]`},
		{name: "json deep scan", src: "$input.json('$..b')", want: `["deep"]`},
		{name: "json double keeps Java form", src: "$input.json('$.big') $input.json('$.pets[0].price')", want: "100.0 249.99"},
		{name: "json missing path", src: "[$input.json('$.missing')]", want: "[]"},
		{name: "json of empty body", src: "$input.json('$')", body: " ", want: "{}"},
		{name: "path navigates", src: "$input.path('$.pets').size() $input.path('$.pets')[0].type $input.path('$').nested.a.b", want: "2 dog deep"},
		{name: "path renders like Java toString", src: "$input.path('$.pets[0]')", want: "{id=1, type=dog, price=249.99}"},
		{name: "body", src: "Action=SendMessage&MessageBody=$input.body", body: tutorialBody, want: "Action=SendMessage&MessageBody=" + tutorialBody},

		// #set and #if
		{name: "set and if on their own lines", src: "#set($a = 1)\n#if($a == 1)\nyes\n#else\nno\n#end\n", want: "yes\n"},
		{name: "elseif chain", src: "#set($n = 5)#if($n < 3)small#elseif($n < 10)medium#else large#end", want: "medium"},
		{name: "else keeps text on its line", src: "#if($nope)a#else b#end", want: " b"},
		{name: "set eats indentation at a token start", src: "  #set($a = 1)\n$a", want: "1"},
		{name: "set keeps indentation inside text", src: "x\n  #set($a = 1)\ny", want: "x\n  y"},
		{name: "set inside block drops its line", src: "#if(true)\n  #set($a = 1)\n  a=$a\n#end\n", want: "  a=1\n"},
		{name: "if line keeps its indentation", src: "{\n  #if(true)\n  \"k\": 1\n  #end\n}", want: "{\n    \"k\": 1\n  }"},
		{name: "null rhs leaves target unchanged", src: "#set($a = 'x')#set($a = $nope)$a", want: "x"},
		{name: "set map property", src: "#set($m = {})#set($m.k = 'v')$m.k", want: "v"},
		{name: "set list index", src: "#set($l = [1, 2])#set($l[0] = 9)$l", want: "[9, 2]"},
		{name: "directive with braces", src: "#{if}(true)y#{else}n#{end}", want: "y"},
		{name: "whitespace inside directive", src: "#if( $context.stage == 'prod' )P#end", want: "P"},

		// #foreach
		{name: "foreach counters", src: "#foreach($i in [1..3])$velocityCount:$foreach.count:$foreach.index:$i #end", want: "1:1:0:1 2:2:1:2 3:3:2:3 "},
		{name: "foreach hasNext", src: "[#foreach($p in $input.path('$.pets'))$p.type#if($foreach.hasNext),#end#end]", want: "[dog,cat]"},
		{name: "foreach descending range", src: "#foreach($i in [3..1])$i#end", want: "321"},
		{name: "foreach over map values", src: "#foreach($v in {'a': 1, 'b': 2})$v#end", want: "12"},
		{name: "foreach over entrySet", src: "#foreach($e in $input.path('$.nested.a').entrySet())$e.key=$e.value#end", want: "b=deep"},
		{name: "foreach restores the variable", src: "#set($i = 'outer')#foreach($i in [1..2])$i#end $i", want: "12 outer"},
		{name: "foreach over null does nothing", src: "a#foreach($x in $nope)x#end b", want: "a b"},
		{name: "foreach lines", src: "#foreach($i in [1..2])\n  item $i\n#end\n", want: "  item 1\n  item 2\n"},
		{name: "nested foreach parent", src: "#foreach($a in [1..2])#foreach($b in [1..2])$foreach.parent.index$foreach.index #end#end", want: "00 01 10 11 "},
		{name: "break", src: "#foreach($i in [1..5])#if($i == 3)#break#end$i#end", want: "12"},
		{name: "stop", src: "a#stop b", want: "a"},
		{name: "stop inside loop", src: "#foreach($i in [1..5])$i#if($i == 2)#stop#end#end tail", want: "12"},

		// comments and escapes
		{name: "line comment eats newline", src: "a## comment\nb", want: "ab"},
		{name: "block comment", src: "a#* multi\nline *#b", want: "ab"},
		{name: "text block", src: "#[[$notparsed #if]]#", want: "$notparsed #if"},
		{name: "escaped defined reference", src: "#set($foo = 'bar')\\$foo \\\\$foo $foo", want: "$foo \\bar bar"},
		{name: "escaped undefined reference", src: "\\$nope \\\\$nope", want: "\\$nope \\\\$nope"},
		{name: "escaped directive", src: "\\#if(x) \\#end", want: "#if(x) #end"},
		{name: "hash that is not a directive", src: "# #1 #ff0000 #foo", want: "# #1 #ff0000 #foo"},
		{name: "backslashes elsewhere", src: `a\b\\c`, want: `a\b\\c`},

		// literals and operators
		{name: "single quotes are not interpolated", src: "#set($s = 'a$context.stage')$s", want: "a$context.stage"},
		{name: "double quotes are interpolated", src: "#set($s = \"stage=$context.stage\")$s", want: "stage=prod"},
		{name: "doubled quote in string", src: `#set($s = "say ""hi""")$s`, want: `say "hi"`},
		{name: "string keeps backslashes", src: `#set($s = "a\\'b")$s`, want: `a\\'b`},
		{name: "integer division", src: "#set($x = 7 / 2)#set($y = 7.0 / 2)#set($z = 7 % 3)$x $y $z", want: "3 3.5 1"},
		{name: "set after a reference eats the space", src: "#set($x = 1)$x #set($y = 2)$y", want: "12"},
		{name: "precedence", src: "#set($x = 2 + 3 * 4)#set($y = (2 + 3) * 4)#set($z = 10 - 2 - 3)$x $y $z", want: "14 20 5"},
		{name: "negative literal", src: "#set($x = -3 + 1)$x", want: "-2"},
		{name: "string concatenation", src: "#set($x = 'a' + 1)$x", want: "a1"},
		{name: "concatenating null writes the reference", src: "#set($x = 'a' + $nope.b)$x #set($y = 1 + $nope)$y", want: "a$nope.b$y"},
		{name: "division by zero is null", src: "#set($x = 1 / 0)$x", want: "$x"},
		{name: "float formatting", src: "#set($x = 1.5 * 2)#set($y = 10000000.0)$x $y", want: "3.0 1.0E7"},
		{name: "logical operators", src: "#if(1 < 2 && !false)a#end#if(1 lt 2 and 3 ge 3)b#end#if(not false or false)c#end#if(false || $nope)x#end", want: "abc"},
		{name: "empty string is true", src: "#if('')t#end", want: "t"},
		{name: "null equals null", src: "#if($nope == $nope2)eq#end#if($nope != 'x')ne#end", want: "eqne"},
		{name: "different kinds compare as strings", src: "#if(5 == '5')eq#end#if(1 == 1.0)num#end", want: "eqnum"},
		{name: "comparing non-numbers is false", src: "#if('a' < 'b')x#else y#end", want: " y"},
		{name: "list literal", src: `#set($l = [1, "two", 3.5, true])$l $l.size() $l[1] $l.get(0) $l[-1]`, want: "[1, two, 3.5, true] 4 two 1 true"},
		{name: "map literal", src: `#set($m = {"a": 1, "b": "x"})$m $m.a $m["b"] $m.keySet() $m.values() $m.size()`, want: "{a=1, b=x} 1 x [a, b] [1, x] 2"},
		{name: "map literal iterates in HashMap order", src: `#set($m = {"b": 1, "a": 2, "zz": 3})$m $m.keySet()#set($d = $m.remove("a"))#foreach($v in $m) $v#end`, want: "{zz=3, a=2, b=1} [zz, a, b] 3 1"},
		{name: "JSON objects keep document order", src: "$input.path('$.pets[0]').keySet()", want: "[id, type, price]"},
		{name: "range", src: "[1..3] #set($r = [1..3])$r", want: "[1..3] [1, 2, 3]"},

		// Java methods
		{name: "list add renders its result", src: "#set($l = [])#set($d = $l.add(1))$l $l.add(2) $l $l.contains(2) $l.isEmpty()", want: "[1] true [1, 2] true false"},
		{name: "map put of new key renders literally", src: `#set($m = {})$m.put("k", 1) $m $m.put("k", 2) $m.containsKey("k") $m.isEmpty()`, want: `$m.put("k", 1) {k=1} 1 true false`},
		{name: "string methods", src: `#set($s = " Hello World ")$s.trim().length() $s.trim().substring(6) $s.substring(1, 6) $s.indexOf("o") $s.toUpperCase().trim() $s.toLowerCase().trim()`, want: "11 World Hello 5 HELLO WORLD hello world"},
		{name: "string predicates", src: `#set($s = "Hello")$s.contains("ell") $s.startsWith("He") $s.endsWith("x") $s.equals("Hello") $s.isEmpty() $s.equalsIgnoreCase("hello")`, want: "true true false true false true"},
		{name: "string replace", src: `#set($s = "a.b.c")$s.replace(".", "-") $s.replaceAll("[.]", "") $s.replaceFirst("\.", "!")`, want: "a-b-c abc a!b.c"},
		{name: "replaceAll group reference", src: `#set($s = "2024-01-31")$s.replaceAll("(\d+)-(\d+)-(\d+)", "$3/$2/$1")`, want: "31/01/2024"},
		{name: "split drops trailing empties", src: `#set($s = "a,b,,c,,")#set($p = $s.split(","))$p.size() $p`, want: "4 [a, b, , c]"},
		{name: "utf-16 length", src: `#set($s = "h😀")$s.length()`, want: "3"},
		{name: "unknown method renders literally", src: "$util.nope('x') $context.stage.frobnicate()", want: "$util.nope('x') $context.stage.frobnicate()"},
		{name: "strings have no size()", src: `#set($s = "ab")$s.size() $s.length()`, want: "$s.size() 2"},
		{name: "toString", src: "#set($n = 5)$n.toString()", want: "5"},

		// $util
		{name: "escapeJavaScript", src: "$util.escapeJavaScript($input.path('$.text')) $util.escapeJavaScript('a\"b/c\\d é')", want: `it\'s a\"b\/c\\d \u00E9`},
		{name: "escapeJavaScript quote fix from the docs", src: `$util.escapeJavaScript($input.path('$.text')).replaceAll("\\'","'")`, want: "it's"},
		{name: "urlEncode", src: "$util.urlEncode('a b&c=d/é*~')", want: "a+b%26c%3Dd%2F%C3%A9*%7E"},
		{name: "urlEncode of an interpolated literal with doubled quotes", src: `Action=SendMessage&MessageBody=$util.urlEncode("{""schemaVersion"":1,""requestID"":""$context.requestId""}")`,
			want: "Action=SendMessage&MessageBody=%7B%22schemaVersion%22%3A1%2C%22requestID%22%3A%22req-123%22%7D"},
		{name: "urlDecode", src: "$util.urlDecode('a+b%26c')", want: "a b&c"},
		{name: "base64", src: "$util.base64Encode('hello') $util.base64Decode('aGVsbG8=')", want: "aGVsbG8= hello"},
		{name: "parseJson from the docs", src: "#set ($errorMessageObj = $util.parseJson($input.path('$.errorMessage')))\n{\n   \"errorMessageObjKey2ArrVal\" : $errorMessageObj.key2.arr[0]\n}\n",
			body: `{"errorMessage":"{\"key1\":\"var1\",\"key2\":{\"arr\":[1,2,3]}}"}`, want: "{\n   \"errorMessageObjKey2ArrVal\" : 1\n}\n"},
		{name: "parseJson", src: "#set($o = $util.parseJson($input.path('$.errorMessage')))$o.key2.arr[0]",
			body: `{"errorMessage":"{\"key1\":\"var1\",\"key2\":{\"arr\":[1,2,3]}}"}`, want: "1"},
		{name: "things example from the docs", src: "{\n    \"id\" : \"$input.params('id')\",\n    \"count\" : \"$input.path('$.things').size()\",\n    \"things\" : $input.json('$.things')\n}",
			body: `{"things":{"1":{},"2":{},"3":{}}}`, want: "{\n    \"id\" : \"abc\",\n    \"count\" : \"3\",\n    \"things\" : {\"1\":{},\"2\":{},\"3\":{}}\n}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.body
			if body == "" {
				body = petsBody
			}
			if got := render(t, tc.src, testVars(body)); got != tc.want {
				t.Errorf("render(%q)\n got %q\nwant %q", tc.src, got, tc.want)
			}
		})
	}
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestProjectTemplates renders the templates of infra-cfn/ingest.yaml (kept
// in testdata) and the envelope and parameter examples.
func TestProjectTemplates(t *testing.T) {
	noKey := func(v *Vars) *Vars { delete(v.Input.Header, "Idempotency-Key"); return v }
	quoteKey := func(v *Vars) *Vars { v.Input.Header["Idempotency-Key"] = `o'k"1` + "\u00e9"; return v }

	t.Run("sqs request", func(t *testing.T) {
		tests := []struct {
			name string
			vars *Vars
			want string
		}{
			{"with key", testVars(tutorialBody),
				`{"schemaVersion":1,"requestID":"req-123","idempotencyKey":"key-1","receivedAt":1700000000000,"order":{"item":"latex gloves","customerID":"12345"}}`},
			{"without key", noKey(testVars(tutorialBody)),
				`{"schemaVersion":1,"requestID":"req-123","idempotencyKey":"","receivedAt":1700000000000,"order":{"item":"latex gloves","customerID":"12345"}}`},
			{"key with quotes", quoteKey(testVars(tutorialBody)),
				`{"schemaVersion":1,"requestID":"req-123","idempotencyKey":"o'k\"1\u00E9","receivedAt":1700000000000,"order":{"item":"latex gloves","customerID":"12345"}}`},
		}
		src := readTestdata(t, "sqs-request.vtl")
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				out := render(t, src, tc.vars)
				form, ok := strings.CutPrefix(out, "Action=SendMessage&MessageBody=")
				if !ok || strings.ContainsAny(form, "\n &") {
					t.Fatalf("not a SendMessage form: %q", out)
				}
				body, err := url.QueryUnescape(form)
				if err != nil {
					t.Fatal(err)
				}
				if body != tc.want {
					t.Errorf("MessageBody\n got %s\nwant %s", body, tc.want)
				}
				if !json.Valid([]byte(body)) {
					t.Errorf("MessageBody is not JSON: %s", body)
				}
			})
		}
	})

	t.Run("order response", func(t *testing.T) {
		src := readTestdata(t, "order-response.vtl")
		if got, want := render(t, src, testVars("")), "{\"orderID\":\"key-1\"}\n"; got != want {
			t.Errorf("with key: got %q want %q", got, want)
		}
		if got, want := render(t, src, noKey(testVars(""))), "{\"orderID\":\"req-123\"}\n"; got != want {
			t.Errorf("without key: got %q want %q", got, want)
		}
	})

	t.Run("json envelope", func(t *testing.T) {
		src := readTestdata(t, "envelope.vtl")
		want := "{\n  \"schemaVersion\": 1,\n  \"requestID\": \"req-123\",\n" +
			"    \"idempotencyKey\": \"key-1\",\n    \"receivedAt\": 1700000000000,\n" +
			"  \"order\": {\"item\":\"latex gloves\",\"customerID\":\"12345\"}\n}\n"
		if got := render(t, src, testVars(tutorialBody)); got != want {
			t.Errorf("with key:\n got %q\nwant %q", got, want)
		}
		got := render(t, src, noKey(testVars(tutorialBody)))
		var env map[string]any
		if err := json.Unmarshal([]byte(got), &env); err != nil {
			t.Fatalf("without key: %v\n%s", err, got)
		}
		if _, ok := env["idempotencyKey"]; ok {
			t.Errorf("without key: idempotencyKey present: %s", got)
		}
	})

	t.Run("all parameters (AWS docs example)", func(t *testing.T) {
		got := render(t, readTestdata(t, "all-params.vtl"), testVars(""))
		var doc struct {
			Params map[string]map[string]string `json:"params"`
		}
		if err := json.Unmarshal([]byte(got), &doc); err != nil {
			t.Fatalf("%v\n%s", err, got)
		}
		want := map[string]map[string]string{
			"path":        {"id": "abc"},
			"querystring": {"name": "Ann", "q": "x y"},
			"header":      {"Idempotency-Key": "key-1", "User-Agent": "curl/8.0"},
		}
		if !reflect.DeepEqual(doc.Params, want) {
			t.Errorf("got %v want %v", doc.Params, want)
		}
	})
}

func TestExecuteOverrides(t *testing.T) {
	tm, err := Parse("#set($context.responseOverride.status = 202)\n" +
		"#set($context.responseOverride.header.X-Order-Id = \"$context.requestId\")\n" +
		"#set($context.requestOverride.header.X-Amz-Target = 'SQS')\nok")
	if err != nil {
		t.Fatal(err)
	}
	res, err := tm.Execute(testVars(""), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if res.Output != "ok" || res.Status != 202 ||
		res.ResponseHeaders["X-Order-Id"] != "req-123" || res.RequestHeaders["X-Amz-Target"] != "SQS" {
		t.Errorf("got %+v", res)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src   string
		line, col   int
		msgContains string
	}{
		{"if without end", "a\n#if(true)\nx", 2, 1, "#if without #end"},
		{"stray end", "x #end", 1, 3, "#end without"},
		{"else after else", "#if(true)#else#else#end", 1, 15, "#else after #else"},
		{"set without value", "#set($a = )", 1, 11, "expected a value"},
		{"set without reference", "#set(a = 1)", 1, 6, "reference"},
		{"unclosed formal reference", "${foo", 1, 6, "expected }"},
		{"foreach without in", "#foreach($x $y)#end", 1, 13, "'in'"},
		{"foreach without end", "#foreach($x in [1])", 1, 1, "without #end"},
		{"unsupported directive", "#include('x')", 1, 1, "not supported"},
		{"unterminated string", "#set($a = 'x)", 1, 11, "unterminated string"},
		{"unterminated comment", "a #* b", 1, 3, "unterminated #*"},
		{"minus one is a literal", "#set($b = 2)#set($a = $b -1)", 1, 26, "expected ')'"},
		{"bad method arguments", "$a.b(1 + 2)", 1, 8, "expected , or )"},
		{"error inside string literal", `#set($a = "#if(x")`, 1, 11, "in string literal"},
		{"too deep", strings.Repeat("#if(true)", 300), 1, 1787, "nesting"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.src)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) = %v, want a ParseError", tc.src, err)
			}
			if pe.Line != tc.line || pe.Column != tc.col || !strings.Contains(pe.Msg, tc.msgContains) {
				t.Errorf("Parse(%q) = %v, want line %d column %d containing %q", tc.src, pe, tc.line, tc.col, tc.msgContains)
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name, src string
		limit     bool
	}{
		{"iteration limit", "#foreach($i in [1..1000])#foreach($j in [1..1000])#end#end", true},
		{"range limit", "#set($r = [1..100000000])", true},
		{"output limit", "#set($s = 'aaaaaaaaaa')#foreach($i in [1..40])#set($s = \"$s$s\")#end", true},
		{"list grows in loop", "#set($l = [1])#foreach($i in $l)#set($d = $l.add($i))#end", false},
		{"substring out of range", "#set($s = 'abc')$s.substring(5)", false},
		{"list index out of range", "#set($l = [1])$l[3]", false},
		{"unsupported regex", "#set($s = 'abc')$s.replaceAll('(?<=a)b', 'x')", false},
		{"json of a non-JSON body", "$input.json('$')", false},
		{"collections sharing members", "#set($a = [])#set($b = [])#foreach($i in [1..2])#set($d = $a.add($b))#set($d = $b.add($a))#end$a", true},
		{"doubling a list", "#set($l = [1])#foreach($i in [1..40])#set($d = $l.addAll($l))#end", true},
		{"replacement explosion", "#set($s = 'aaaaaaaaaa')#foreach($i in [1..14])#set($s = \"$s$s\")#end$s.replaceAll('', 'xxxxxxxxxxxxxxxxxxxx')", true},
		{"work limit", "#foreach($i in [1..9000])#foreach($j in [1..1])$input.body.replace('n', 'N').length()#end#end", true},
		{"maps sharing members", "#set($a = {})#set($b = {})#set($d = $a.put('x', $b))#set($d = $a.put('y', $b))#set($d = $b.put('x', $a))#set($d = $b.put('y', $a))$a", true},
		{"bad JSONPath", "$input.json('$[?(@.a)]')", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tm, err := Parse(tc.src)
			if err != nil {
				t.Fatal(err)
			}
			v := testVars("not json")
			v.Input.Body = strings.Repeat("not json ", 1000)
			_, err = tm.Execute(v, Limits{MaxIterations: 10_000, MaxOutput: 1 << 20, MaxSteps: 50_000_000})
			var re *RenderError
			if tc.name == "list grows in loop" {
				// iterating a snapshot: the loop ends after one pass
				if err != nil {
					t.Fatalf("got %v", err)
				}
				return
			}
			if !errors.As(err, &re) {
				t.Fatalf("got %v, want a RenderError", err)
			}
			if errors.Is(err, ErrLimit) != tc.limit {
				t.Errorf("errors.Is(%v, ErrLimit) = %v, want %v", err, !tc.limit, tc.limit)
			}
		})
	}
}

// TestSelfContainingBody makes the body's tree contain itself twice and
// deep-scans it: the scan and the JSON output must stay bounded.
func TestSelfContainingBody(t *testing.T) {
	tm, err := Parse("#set($r = $input.path('$'))#set($d = $r.put('x', $r))#set($d = $r.put('y', $r))$input.json('$..x')")
	if err != nil {
		t.Fatal(err)
	}
	_, err = tm.Execute(testVars("{}"), Limits{MaxOutput: 1 << 20})
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("got %v, want ErrLimit", err)
	}
}

func TestConcurrentRender(t *testing.T) {
	tm, err := Parse(readTestdata(t, "sqs-request.vtl"))
	if err != nil {
		t.Fatal(err)
	}
	want := render(t, readTestdata(t, "sqs-request.vtl"), testVars(tutorialBody))
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				out, err := tm.Render(testVars(tutorialBody))
				if err != nil || out != want {
					t.Errorf("concurrent render: %q, %v", out, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestJavaDouble(t *testing.T) {
	for f, want := range map[float64]string{
		1: "1.0", 0.5: "0.5", 249.99: "249.99", 1e7: "1.0E7", 1.5e-4: "1.5E-4",
		0.001: "0.001", 123456789.5: "1.234567895E8", -2: "-2.0", 0: "0.0",
	} {
		if got := javaDouble(f); got != want {
			t.Errorf("javaDouble(%v) = %q, want %q", f, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"$context.requestId", "#set($a = [1..3])#foreach($x in $a)$x#end",
		"#if($a && !$b || $c == 'x')y#elseif($d)z#else w#end",
		"${a.b(1, 'x', [1, 2], {'k': $v})[0]}", "\\#if \\\\$x $!y ## c\n#* d *#",
		`#set($s = "a$b#if(true)c#end")$s.replaceAll("a", "$0")`,
		"$input.json('$..a[*]') $input.path('$.x[0:2]') $util.urlEncode($input.body)",
		"#foreach($i in [1..3])#break#stop#end", "#[[raw]]#",
	} {
		f.Add(s)
	}
	for _, name := range []string{"sqs-request.vtl", "order-response.vtl", "envelope.vtl", "all-params.vtl"} {
		if b, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(string(b))
		}
	}
	vars := testVars(petsBody)
	lim := Limits{MaxIterations: 1000, MaxOutput: 1 << 16}
	f.Fuzz(func(t *testing.T, src string) {
		tm, err := Parse(src)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse returned %T, want *ParseError", err)
			}
			return
		}
		res, err := tm.Execute(vars, lim)
		if err == nil && len(res.Output) > lim.MaxOutput {
			t.Fatalf("output of %d bytes exceeds the limit", len(res.Output))
		}
		if err != nil && strings.Contains(err.Error(), "internal error") {
			t.Fatalf("panic recovered: %v", err)
		}
	})
}

func BenchmarkRenderSQSRequest(b *testing.B) {
	src, err := os.ReadFile(filepath.Join("testdata", "sqs-request.vtl"))
	if err != nil {
		b.Fatal(err)
	}
	tm, err := Parse(string(src))
	if err != nil {
		b.Fatal(err)
	}
	vars := testVars(tutorialBody)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := tm.Render(vars); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSubstitute(t *testing.T) {
	v := testVars("")
	v.Context.Error = ContextError{
		Message:               "Invalid request body",
		ResponseType:          "BAD_REQUEST_BODY",
		ValidationErrorString: `[object has missing required properties (["customerID"])]`,
	}
	tests := []struct{ name, tmpl, want string }{
		{"default gateway response", `{"message":$context.error.messageString}`, `{"message":"Invalid request body"}`},
		{"detail embedded in a JSON string stays unescaped", `{"message":"invalid order request","detail":"$context.error.validationErrorString"}`,
			`{"message":"invalid order request","detail":"[object has missing required properties (["customerID"])]"}`},
		{"docs example", `{ "message": $context.error.messageString, "type":$context.error.responseType, "statusCode": '488' }`,
			`{ "message": "Invalid request body", "type":BAD_REQUEST_BODY, "statusCode": '488' }`},
		{"stage variable and trailing dot", `$stageVariables.env. $context.requestId`, `test. req-123`},
		{"no Velocity processing", `#if(true)$context.stage#end $util.urlEncode('x')`, `#if(true)prod#end $util.urlEncode('x')`},
		{"unknown stays", `$context.nope $stageVariables.nope $context.identity $x $`, `$context.nope $stageVariables.nope $context.identity $x $`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Substitute(tc.tmpl, v); got != tc.want {
				t.Errorf("Substitute(%q)\n got %q\nwant %q", tc.tmpl, got, tc.want)
			}
		})
	}
}

func TestSetRequestTime(t *testing.T) {
	var c Context
	c.SetRequestTime(time.Date(2023, time.November, 14, 22, 13, 20, 123e6, time.UTC))
	if c.RequestTime != "14/Nov/2023:22:13:20 +0000" || c.RequestTimeEpoch != 1700000000123 {
		t.Errorf("got %q %d", c.RequestTime, c.RequestTimeEpoch)
	}
}
