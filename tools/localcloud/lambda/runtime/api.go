package runtime

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
)

// Runtime API error types, as Lambda's Runtime API answers them.
const (
	errInvalidRequestID       = "InvalidRequestID"
	errInvalidStateTransition = "InvalidStateTransition"
	errRequestEntityTooLarge  = "RequestEntityTooLarge"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeAPIError(w http.ResponseWriter, status int, typ, msg string) {
	writeJSON(w, status, errorDoc{ErrorMessage: msg, ErrorType: typ})
}

func accepted(w http.ResponseWriter) {
	writeJSON(w, http.StatusAccepted, struct {
		Status string `json:"status"`
	}{"OK"})
}

func invalidRequestID(w http.ResponseWriter) {
	writeAPIError(w, http.StatusBadRequest, errInvalidRequestID, "Invalid request ID")
}

func stateError(w http.ResponseWriter, from, to string) {
	writeAPIError(w, http.StatusForbidden, errInvalidStateTransition,
		"State transition from "+from+" to "+to+" failed for runtime. Error: State transition is not allowed")
}

// handleNext serves GET /runtime/invocation/next: it ends the init phase on
// the first call, completes the previous invocation, and blocks until the
// next invocation arrives.
func (i *Instance) handleNext(w http.ResponseWriter, r *http.Request) {
	i.mu.Lock()
	if i.phase == phaseInit {
		i.finishInitLocked(nil)
	}
	if c := i.current; c != nil && !c.finished {
		i.mu.Unlock()
		stateError(w, "Invoking", "Ready")
		return
	}
	if i.parked {
		i.mu.Unlock()
		stateError(w, "Ready", "Ready")
		return
	}
	i.current = nil
	i.parked = true
	for {
		if c := i.pending; c != nil && i.phase == phaseReady {
			i.pending, i.current, i.parked = nil, c, false
			deadline := i.deliverLocked(c)
			i.mu.Unlock()
			h := w.Header()
			h.Set("Lambda-Runtime-Aws-Request-Id", c.inv.RequestID)
			h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(deadline.UnixMilli(), 10))
			h.Set("Lambda-Runtime-Invoked-Function-Arn", c.inv.InvokedFunctionARN)
			h.Set("Lambda-Runtime-Trace-Id", c.inv.TraceID)
			if c.inv.ClientContext != "" {
				h.Set("Lambda-Runtime-Client-Context", c.inv.ClientContext)
			}
			if c.inv.CognitoIdentity != "" {
				h.Set("Lambda-Runtime-Cognito-Identity", c.inv.CognitoIdentity)
			}
			h.Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(c.inv.Payload)
			return
		}
		if i.phase == phaseDead {
			i.parked = false
			i.mu.Unlock()
			writeAPIError(w, http.StatusInternalServerError, "InternalServerError", "Internal Server Error")
			return
		}
		wake := i.wake
		i.mu.Unlock()
		select {
		case <-wake:
		case <-r.Context().Done():
			i.mu.Lock()
			i.parked = false
			i.mu.Unlock()
			return
		}
		i.mu.Lock()
	}
}

// activeCall returns the delivered, unfinished invocation with id.
func (i *Instance) activeCall(id string) *call {
	i.mu.Lock()
	defer i.mu.Unlock()
	if c := i.current; c != nil && c.inv.RequestID == id && !c.finished {
		return c
	}
	return nil
}

// readBody reads at most MaxResponseBytes; tooBig reports more.
func readBody(r *http.Request) (body []byte, tooBig bool, err error) {
	if r.ContentLength > MaxResponseBytes {
		return nil, true, nil
	}
	body, err = io.ReadAll(io.LimitReader(r.Body, MaxResponseBytes+1))
	if err != nil {
		return nil, false, err
	}
	return body, len(body) > MaxResponseBytes, nil
}

// openCall finds the invocation a response or error post names and reads
// its body; it answers the runtime itself and returns false when the post
// cannot be taken.
func (i *Instance) openCall(w http.ResponseWriter, r *http.Request) (c *call, body []byte, tooBig, ok bool) {
	if c = i.activeCall(r.PathValue("id")); c == nil {
		invalidRequestID(w)
		return nil, nil, false, false
	}
	body, tooBig, err := readBody(r)
	if err != nil {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequest", "Could not read the request body: "+err.Error())
		return nil, nil, false, false
	}
	return c, body, tooBig, true
}

// complete ends c with res and answers the runtime: 202, or 400 when the
// invocation already ended (a timeout won the race).
func (i *Instance) complete(w http.ResponseWriter, c *call, res Result) {
	i.mu.Lock()
	ok := i.finishLocked(c, res)
	i.mu.Unlock()
	if !ok {
		invalidRequestID(w)
		return
	}
	accepted(w)
}

// handleResponse serves POST /runtime/invocation/{id}/response.
func (i *Instance) handleResponse(w http.ResponseWriter, r *http.Request) {
	c, body, tooBig, ok := i.openCall(w, r)
	if !ok {
		return
	}
	// aws-lambda-go reports a failure while streaming the response in
	// trailers.
	if typ := r.Trailer.Get("Lambda-Runtime-Function-Error-Type"); typ != "" {
		doc, _ := base64.StdEncoding.DecodeString(r.Trailer.Get("Lambda-Runtime-Function-Error-Body"))
		i.complete(w, c, functionError(doc, typ))
		return
	}
	if !tooBig {
		i.complete(w, c, Result{Payload: body, ContentType: r.Header.Get("Content-Type")})
		return
	}
	res := Result{Payload: errorPayload("Function.ResponseSizeTooLarge",
		"Response payload size exceeded maximum allowed payload size ("+strconv.Itoa(MaxResponseBytes)+" bytes)."),
		ContentType: "application/json", FunctionError: "Unhandled", ErrorType: "Function.ResponseSizeTooLarge", Status: "error"}
	i.mu.Lock()
	ok = i.finishLocked(c, res)
	i.mu.Unlock()
	if !ok {
		invalidRequestID(w)
		return
	}
	writeAPIError(w, http.StatusRequestEntityTooLarge, errRequestEntityTooLarge,
		"Exceeded maximum allowed payload size ("+strconv.Itoa(MaxResponseBytes)+" bytes).")
}

// functionError makes the Result of an error the runtime reported: its
// document as posted when it is a JSON object, otherwise one built from
// the Lambda-Runtime-Function-Error-Type header, as Lambda does.
func functionError(body []byte, headerType string) Result {
	var doc errorDoc
	if err := json.Unmarshal(body, &doc); err == nil && (doc.ErrorType != "" || doc.ErrorMessage != "") {
		typ := doc.ErrorType
		if typ == "" {
			typ = headerType
		}
		return Result{Payload: body, ContentType: "application/json", FunctionError: "Unhandled", ErrorType: typ}
	}
	if headerType == "" {
		headerType = "Unhandled"
	}
	return Result{Payload: errorPayload(headerType, string(body)), ContentType: "application/json",
		FunctionError: "Unhandled", ErrorType: headerType}
}

// handleError serves POST /runtime/invocation/{id}/error.
func (i *Instance) handleError(w http.ResponseWriter, r *http.Request) {
	c, body, tooBig, ok := i.openCall(w, r)
	if !ok {
		return
	}
	if tooBig {
		body = nil
	}
	i.complete(w, c, functionError(body, r.Header.Get("Lambda-Runtime-Function-Error-Type")))
}

// handleInitError serves POST /runtime/init/error.
func (i *Instance) handleInitError(w http.ResponseWriter, r *http.Request) {
	i.mu.Lock()
	initializing := i.phase == phaseInit
	i.mu.Unlock()
	if !initializing {
		stateError(w, "Ready", "InitError")
		return
	}
	body, tooBig, err := readBody(r)
	if err != nil || tooBig {
		body = nil
	}
	res := functionError(body, r.Header.Get("Lambda-Runtime-Function-Error-Type"))
	if res.ErrorType == "Unhandled" {
		res.ErrorType = "Runtime.InitError"
	}
	var doc errorDoc
	_ = json.Unmarshal(res.Payload, &doc)
	i.mu.Lock()
	done := i.phase == phaseInit
	i.finishInitLocked(&InitError{Type: res.ErrorType, Reason: doc.ErrorMessage, Body: res.Payload})
	i.mu.Unlock()
	if !done {
		stateError(w, "Ready", "InitError")
		return
	}
	accepted(w)
}
