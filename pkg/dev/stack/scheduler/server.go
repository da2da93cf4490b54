// Package schedulerstub is an in-memory stand-in for the Amazon EventBridge
// Scheduler API, for the local development stack only.
//
// There is no local emulator for EventBridge Scheduler, yet production code
// creates one-time schedules through the real SDK client. Server speaks the
// service's REST-JSON wire protocol (the paths, JSON field names and error
// shapes the aws-sdk-go-v2 scheduler client serialises and deserialises), so
// that code runs unchanged against it with
// AWS_ENDPOINT_URL_SCHEDULER=http://127.0.0.1:PORT. Nothing fires on a wall
// clock: the local stack decides when time passes by calling Run, which keeps
// tests deterministic.
//
// The package is named schedulerstub (not scheduler) because callers import
// it next to github.com/aws/aws-sdk-go-v2/service/scheduler.
package schedulerstub

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fixed account and region of the local stack; ARNs returned to callers use
// them so that they look like production ARNs.
const (
	Region       = "eu-west-2"
	AccountID    = "000000000000"
	DefaultGroup = "default"
)

// Default RetryPolicy values of the real service, used when a schedule has
// no RetryPolicy (or leaves a field unset).
const (
	DefaultMaximumRetryAttempts     = 185
	DefaultMaximumEventAgeInSeconds = 86400
)

// Server is an http.Handler implementing the EventBridge Scheduler API in
// memory. The zero value is not usable; call New.
type Server struct {
	// Clock supplies CreationDate/LastModificationDate and the starting point
	// of recurring (rate/cron) schedules. Tests set it for determinism; set it
	// before serving requests. Defaults to time.Now.
	Clock func() time.Time

	// MaxAttemptsCap, when > 0, caps the attempts per firing. The real
	// default of 185 retries is spread over 24 hours; locally Run retries
	// back-to-back, so the local stack may want to cap it. 0 = no cap.
	MaxAttemptsCap int

	mux *http.ServeMux

	mu          sync.Mutex
	groups      map[string]*group
	schedules   map[key]*schedule
	deadLetters []DeadLetter
	gen         uint64
}

type key struct{ group, name string }

type group struct {
	name                  string
	created, lastModified time.Time
}

// schedule is the stored state of one schedule.
type schedule struct {
	Name                       string
	GroupName                  string
	ScheduleExpression         string
	ScheduleExpressionTimezone string
	State                      string
	Description                string
	ActionAfterCompletion      string
	ClientToken                string
	KmsKeyArn                  string
	FlexibleTimeWindow         wireFlexibleTimeWindow
	Target                     wireTarget
	StartDate, EndDate         *time.Time
	CreationDate               time.Time
	LastModificationDate       time.Time

	expr expression
	loc  *time.Location
	// next is the next due instant, nil when nothing is pending (one-time
	// schedule already fired, disabled, or past its EndDate).
	next *time.Time
	// gen changes on every create/update so Run can tell whether the
	// schedule it fired was replaced while the callback was running.
	gen      uint64
	inFlight bool
}

// New returns an empty Server holding only the "default" schedule group,
// which the real service provides in every account.
func New() *Server {
	s := &Server{
		Clock:     time.Now,
		groups:    map[string]*group{},
		schedules: map[key]*schedule{},
	}
	now := s.now()
	s.groups[DefaultGroup] = &group{name: DefaultGroup, created: now, lastModified: now}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /schedules/{Name}", s.createSchedule)
	mux.HandleFunc("GET /schedules/{Name}", s.getSchedule)
	mux.HandleFunc("DELETE /schedules/{Name}", s.deleteSchedule)
	mux.HandleFunc("GET /schedules", s.listSchedules)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "UnknownOperationException",
			fmt.Sprintf("%s %s is not implemented by the local EventBridge Scheduler stand-in", r.Method, r.URL.Path))
	})
	s.mux = mux
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// EnsureGroup creates a schedule group if it does not exist. Production
// groups are provisioned by infrastructure code, not by the application, so
// the local stack calls this at start-up to mirror them.
func (s *Server) EnsureGroup(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.groups[name]; !ok {
		now := s.now()
		s.groups[name] = &group{name: name, created: now, lastModified: now}
	}
}

func (s *Server) now() time.Time {
	if s.Clock == nil {
		return time.Now().UTC()
	}
	return s.Clock().UTC()
}

// ScheduleArn returns the ARN the stand-in reports for a schedule.
func ScheduleArn(group, name string) string {
	return fmt.Sprintf("arn:aws:scheduler:%s:%s:schedule/%s/%s", Region, AccountID, group, name)
}

// ---- wire types (field names as in the REST-JSON protocol) ----

type wireFlexibleTimeWindow struct {
	Mode                   string `json:"Mode"`
	MaximumWindowInMinutes *int32 `json:"MaximumWindowInMinutes,omitempty"`
}

type wireRetryPolicy struct {
	MaximumEventAgeInSeconds *int32 `json:"MaximumEventAgeInSeconds,omitempty"`
	MaximumRetryAttempts     *int32 `json:"MaximumRetryAttempts,omitempty"`
}

type wireDeadLetterConfig struct {
	Arn *string `json:"Arn,omitempty"`
}

type wireTarget struct {
	Arn              string                `json:"Arn"`
	RoleArn          string                `json:"RoleArn"`
	Input            *string               `json:"Input,omitempty"`
	RetryPolicy      *wireRetryPolicy      `json:"RetryPolicy,omitempty"`
	DeadLetterConfig *wireDeadLetterConfig `json:"DeadLetterConfig,omitempty"`
	// Target-type parameters are not interpreted locally; they are kept
	// verbatim so GetSchedule round-trips them.
	EcsParameters               json.RawMessage `json:"EcsParameters,omitempty"`
	EventBridgeParameters       json.RawMessage `json:"EventBridgeParameters,omitempty"`
	KinesisParameters           json.RawMessage `json:"KinesisParameters,omitempty"`
	SageMakerPipelineParameters json.RawMessage `json:"SageMakerPipelineParameters,omitempty"`
	SqsParameters               json.RawMessage `json:"SqsParameters,omitempty"`
}

// wireScheduleInput is the body of CreateSchedule and UpdateSchedule.
type wireScheduleInput struct {
	ActionAfterCompletion      *string                 `json:"ActionAfterCompletion"`
	ClientToken                *string                 `json:"ClientToken"`
	Description                *string                 `json:"Description"`
	EndDate                    *float64                `json:"EndDate"`
	FlexibleTimeWindow         *wireFlexibleTimeWindow `json:"FlexibleTimeWindow"`
	GroupName                  *string                 `json:"GroupName"`
	KmsKeyArn                  *string                 `json:"KmsKeyArn"`
	ScheduleExpression         *string                 `json:"ScheduleExpression"`
	ScheduleExpressionTimezone *string                 `json:"ScheduleExpressionTimezone"`
	StartDate                  *float64                `json:"StartDate"`
	State                      *string                 `json:"State"`
	Target                     *wireTarget             `json:"Target"`
}

type wireGetScheduleOutput struct {
	ActionAfterCompletion      string                 `json:"ActionAfterCompletion,omitempty"`
	Arn                        string                 `json:"Arn"`
	CreationDate               float64                `json:"CreationDate"`
	Description                string                 `json:"Description,omitempty"`
	EndDate                    *float64               `json:"EndDate,omitempty"`
	FlexibleTimeWindow         wireFlexibleTimeWindow `json:"FlexibleTimeWindow"`
	GroupName                  string                 `json:"GroupName"`
	KmsKeyArn                  string                 `json:"KmsKeyArn,omitempty"`
	LastModificationDate       float64                `json:"LastModificationDate"`
	Name                       string                 `json:"Name"`
	ScheduleExpression         string                 `json:"ScheduleExpression"`
	ScheduleExpressionTimezone string                 `json:"ScheduleExpressionTimezone,omitempty"`
	StartDate                  *float64               `json:"StartDate,omitempty"`
	State                      string                 `json:"State"`
	Target                     wireTarget             `json:"Target"`
}

type wireScheduleSummary struct {
	Arn                  string  `json:"Arn"`
	CreationDate         float64 `json:"CreationDate"`
	GroupName            string  `json:"GroupName"`
	LastModificationDate float64 `json:"LastModificationDate"`
	Name                 string  `json:"Name"`
	State                string  `json:"State"`
	Target               struct {
		Arn string `json:"Arn"`
	} `json:"Target"`
}

// epoch renders a timestamp the way the protocol does: epoch seconds as a
// JSON number.
func epoch(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

func fromEpoch(f float64) time.Time {
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC().Truncate(time.Millisecond)
}

// ---- errors ----

// writeError emits an error the way the SDK's deserialiser expects: the
// X-Amzn-ErrorType header selects the modelled error type (and __type in the
// body serves clients that only look there), Message carries the text.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "Message": msg})
}

type apiError struct {
	status     int
	code, text string
}

func (e *apiError) Error() string { return e.code + ": " + e.text }

func validation(format string, a ...any) *apiError {
	return &apiError{http.StatusBadRequest, "ValidationException", fmt.Sprintf(format, a...)}
}

func notFound(format string, a ...any) *apiError {
	return &apiError{http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf(format, a...)}
}

func conflict(format string, a ...any) *apiError {
	return &apiError{http.StatusConflict, "ConflictException", fmt.Sprintf(format, a...)}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(v)
}

func respond(w http.ResponseWriter, v any, err *apiError) {
	if err != nil {
		writeError(w, err.status, err.code, err.text)
		return
	}
	writeJSON(w, v)
}

// ---- validation (constraints from the service's API reference) ----

var (
	namePattern        = regexp.MustCompile(`^[0-9a-zA-Z-_.]+$`)
	clientTokenPattern = regexp.MustCompile(`^[a-zA-Z0-9-_]+$`)
)

func validName(kind, v string) *apiError {
	if len(v) < 1 || len(v) > 64 || !namePattern.MatchString(v) {
		return validation("%s %q must match [0-9a-zA-Z-_.]+ and be 1-64 characters", kind, v)
	}
	return nil
}

// buildSchedule validates a CreateSchedule/UpdateSchedule body and turns it
// into a schedule (without dates or gen, which the caller sets).
func buildSchedule(name string, in *wireScheduleInput) (*schedule, *apiError) {
	if err := validName("Name", name); err != nil {
		return nil, err
	}
	sc := &schedule{Name: name, GroupName: DefaultGroup, State: "ENABLED", ActionAfterCompletion: "NONE"}
	if in.GroupName != nil {
		if err := validName("GroupName", *in.GroupName); err != nil {
			return nil, err
		}
		sc.GroupName = *in.GroupName
	}
	if in.ScheduleExpression == nil || *in.ScheduleExpression == "" {
		return nil, validation("ScheduleExpression is required")
	}
	if len(*in.ScheduleExpression) > 256 {
		return nil, validation("ScheduleExpression must be at most 256 characters")
	}
	expr, err := parseExpression(*in.ScheduleExpression)
	if err != nil {
		return nil, validation("%v", err)
	}
	sc.ScheduleExpression, sc.expr = *in.ScheduleExpression, expr
	sc.loc = time.UTC
	if in.ScheduleExpressionTimezone != nil {
		tz := *in.ScheduleExpressionTimezone
		loc, err := time.LoadLocation(tz)
		if tz == "" || len(tz) > 50 || err != nil || tz == "Local" {
			return nil, validation("invalid ScheduleExpressionTimezone %q", tz)
		}
		sc.ScheduleExpressionTimezone, sc.loc = tz, loc
	}
	if in.FlexibleTimeWindow == nil {
		return nil, validation("FlexibleTimeWindow is required")
	}
	ftw := *in.FlexibleTimeWindow
	switch ftw.Mode {
	case "OFF":
	case "FLEXIBLE":
		if ftw.MaximumWindowInMinutes == nil {
			return nil, validation("FlexibleTimeWindow.MaximumWindowInMinutes is required when Mode is FLEXIBLE")
		}
	default:
		return nil, validation("FlexibleTimeWindow.Mode must be OFF or FLEXIBLE, got %q", ftw.Mode)
	}
	if m := ftw.MaximumWindowInMinutes; m != nil && (*m < 1 || *m > 1440) {
		return nil, validation("FlexibleTimeWindow.MaximumWindowInMinutes must be 1-1440")
	}
	sc.FlexibleTimeWindow = ftw
	if in.Target == nil {
		return nil, validation("Target is required")
	}
	t := *in.Target
	if t.Arn == "" || len(t.Arn) > 1600 {
		return nil, validation("Target.Arn is required (1-1600 characters)")
	}
	if t.RoleArn == "" || len(t.RoleArn) > 1600 {
		return nil, validation("Target.RoleArn is required (1-1600 characters)")
	}
	if t.Input != nil && (len(*t.Input) < 1 || len(*t.Input) > 8192) {
		return nil, validation("Target.Input must be 1-8192 characters")
	}
	if rp := t.RetryPolicy; rp != nil {
		if v := rp.MaximumRetryAttempts; v != nil && (*v < 0 || *v > 185) {
			return nil, validation("Target.RetryPolicy.MaximumRetryAttempts must be 0-185")
		}
		if v := rp.MaximumEventAgeInSeconds; v != nil && (*v < 60 || *v > 86400) {
			return nil, validation("Target.RetryPolicy.MaximumEventAgeInSeconds must be 60-86400")
		}
	}
	if dl := t.DeadLetterConfig; dl != nil && dl.Arn != nil && (len(*dl.Arn) < 1 || len(*dl.Arn) > 1600) {
		return nil, validation("Target.DeadLetterConfig.Arn must be 1-1600 characters")
	}
	sc.Target = t
	if in.State != nil {
		if *in.State != "ENABLED" && *in.State != "DISABLED" {
			return nil, validation("State must be ENABLED or DISABLED, got %q", *in.State)
		}
		sc.State = *in.State
	}
	if in.ActionAfterCompletion != nil {
		if *in.ActionAfterCompletion != "NONE" && *in.ActionAfterCompletion != "DELETE" {
			return nil, validation("ActionAfterCompletion must be NONE or DELETE, got %q", *in.ActionAfterCompletion)
		}
		sc.ActionAfterCompletion = *in.ActionAfterCompletion
	}
	if in.Description != nil {
		if len(*in.Description) > 512 {
			return nil, validation("Description must be at most 512 characters")
		}
		sc.Description = *in.Description
	}
	if in.ClientToken != nil {
		if len(*in.ClientToken) < 1 || len(*in.ClientToken) > 64 || !clientTokenPattern.MatchString(*in.ClientToken) {
			return nil, validation("ClientToken must match [a-zA-Z0-9-_]+ and be 1-64 characters")
		}
		sc.ClientToken = *in.ClientToken
	}
	if in.KmsKeyArn != nil {
		sc.KmsKeyArn = *in.KmsKeyArn
	}
	if in.StartDate != nil {
		t := fromEpoch(*in.StartDate)
		sc.StartDate = &t
	}
	if in.EndDate != nil {
		t := fromEpoch(*in.EndDate)
		sc.EndDate = &t
	}
	if sc.StartDate != nil && sc.EndDate != nil && !sc.EndDate.After(*sc.StartDate) {
		return nil, validation("EndDate must be after StartDate")
	}
	return sc, nil
}

// firstDue computes when a freshly created or updated schedule is next due,
// given the time of the change. Recurring schedules start after the change
// (or at StartDate); they never back-fill occurrences before creation.
func (sc *schedule) firstDue(now time.Time) *time.Time {
	if sc.State != "ENABLED" {
		return nil
	}
	switch {
	case sc.expr.isAt:
		t, _ := resolveLocal(sc.expr.atLocal, sc.loc)
		return &t
	case sc.expr.rate > 0:
		// The service starts a rate schedule immediately (or at StartDate).
		start := now
		if sc.StartDate != nil {
			start = *sc.StartDate
		}
		return sc.bounded(start)
	default:
		from := now
		if sc.StartDate != nil && sc.StartDate.After(from) {
			from = sc.StartDate.Add(-time.Nanosecond)
		}
		t, ok := sc.expr.cron.next(from, sc.loc)
		if !ok {
			return nil
		}
		return sc.bounded(t)
	}
}

// nextAfter returns the occurrence after one that just fired at t; nil for
// one-time schedules and when the schedule has run out.
func (sc *schedule) nextAfter(t time.Time) *time.Time {
	switch {
	case sc.expr.isAt:
		return nil
	case sc.expr.rate > 0:
		return sc.bounded(t.Add(sc.expr.rate))
	default:
		n, ok := sc.expr.cron.next(t, sc.loc)
		if !ok {
			return nil
		}
		return sc.bounded(n)
	}
}

func (sc *schedule) bounded(t time.Time) *time.Time {
	if sc.EndDate != nil && t.After(*sc.EndDate) {
		return nil
	}
	return &t
}

func decodeBody(r *http.Request, v any) *apiError {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		return validation("malformed request body: %v", err)
	}
	return nil
}

// ---- handlers ----

func (s *Server) createSchedule(w http.ResponseWriter, r *http.Request) {
	var in wireScheduleInput
	if err := decodeBody(r, &in); err != nil {
		respond(w, nil, err)
		return
	}
	sc, apiErr := buildSchedule(r.PathValue("Name"), &in)
	if apiErr != nil {
		respond(w, nil, apiErr)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.groups[sc.GroupName]; !ok {
		respond(w, nil, notFound("Schedule group %s does not exist.", sc.GroupName))
		return
	}
	k := key{sc.GroupName, sc.Name}
	if old, ok := s.schedules[k]; ok {
		// The SDK fills ClientToken with a fresh UUID per call and reuses it
		// when it retries, so a repeated token is a retry of a create that
		// already succeeded: answer it idempotently, as the service does.
		if sc.ClientToken != "" && old.ClientToken == sc.ClientToken {
			respond(w, map[string]string{"ScheduleArn": ScheduleArn(k.group, k.name)}, nil)
			return
		}
		respond(w, nil, conflict("Schedule %s already exists.", sc.Name))
		return
	}
	now := s.now()
	sc.CreationDate, sc.LastModificationDate = now, now
	s.gen++
	sc.gen = s.gen
	sc.next = sc.firstDue(now)
	s.schedules[k] = sc
	respond(w, map[string]string{"ScheduleArn": ScheduleArn(k.group, k.name)}, nil)
}

func groupParam(r *http.Request, param string) (string, *apiError) {
	g := r.URL.Query().Get(param)
	if g == "" {
		return DefaultGroup, nil
	}
	return g, validName("GroupName", g)
}

func (s *Server) getSchedule(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("Name")
	g, err := groupParam(r, "groupName")
	if err == nil {
		err = validName("Name", name)
	}
	if err != nil {
		respond(w, nil, err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sc, ok := s.schedules[key{g, name}]
	if !ok {
		respond(w, nil, notFound("Schedule %s does not exist.", name))
		return
	}
	out := wireGetScheduleOutput{
		ActionAfterCompletion:      sc.ActionAfterCompletion,
		Arn:                        ScheduleArn(sc.GroupName, sc.Name),
		CreationDate:               epoch(sc.CreationDate),
		Description:                sc.Description,
		FlexibleTimeWindow:         sc.FlexibleTimeWindow,
		GroupName:                  sc.GroupName,
		KmsKeyArn:                  sc.KmsKeyArn,
		LastModificationDate:       epoch(sc.LastModificationDate),
		Name:                       sc.Name,
		ScheduleExpression:         sc.ScheduleExpression,
		ScheduleExpressionTimezone: sc.ScheduleExpressionTimezone,
		State:                      sc.State,
		Target:                     sc.Target,
	}
	if sc.StartDate != nil {
		v := epoch(*sc.StartDate)
		out.StartDate = &v
	}
	if sc.EndDate != nil {
		v := epoch(*sc.EndDate)
		out.EndDate = &v
	}
	respond(w, out, nil)
}

func (s *Server) deleteSchedule(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("Name")
	g, err := groupParam(r, "groupName")
	if err == nil {
		err = validName("Name", name)
	}
	if err != nil {
		respond(w, nil, err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key{g, name}
	if _, ok := s.schedules[k]; !ok {
		respond(w, nil, notFound("Schedule %s does not exist.", name))
		return
	}
	delete(s.schedules, k)
	respond(w, struct{}{}, nil)
}

// listSchedules returns schedules ordered by group then name. NextToken is
// an opaque cursor (the last key returned), so pages stay consistent while
// schedules are added or removed between calls.
func (s *Server) listSchedules(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	groupFilter := q.Get("ScheduleGroup")
	if groupFilter != "" {
		if err := validName("ScheduleGroup", groupFilter); err != nil {
			respond(w, nil, err)
			return
		}
	}
	prefix := q.Get("NamePrefix")
	if prefix != "" {
		if err := validName("NamePrefix", prefix); err != nil {
			respond(w, nil, err)
			return
		}
	}
	state := q.Get("State")
	if state != "" && state != "ENABLED" && state != "DISABLED" {
		respond(w, nil, validation("State must be ENABLED or DISABLED"))
		return
	}
	maxResults := 100
	if v := q.Get("MaxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			respond(w, nil, validation("MaxResults must be 1-100"))
			return
		}
		maxResults = n
	}
	var after *key
	if tok := q.Get("NextToken"); tok != "" {
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		g, n, ok := strings.Cut(string(raw), "\x00")
		if err != nil || !ok {
			respond(w, nil, validation("invalid NextToken"))
			return
		}
		after = &key{g, n}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if groupFilter != "" {
		if _, ok := s.groups[groupFilter]; !ok {
			respond(w, nil, notFound("Schedule group %s does not exist.", groupFilter))
			return
		}
	}
	var keys []key
	for k, sc := range s.schedules {
		if (groupFilter == "" || k.group == groupFilter) &&
			strings.HasPrefix(k.name, prefix) &&
			(state == "" || sc.State == state) &&
			(after == nil || keyLess(*after, k)) {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keyLess(keys[i], keys[j]) })
	out := struct {
		NextToken *string               `json:"NextToken,omitempty"`
		Schedules []wireScheduleSummary `json:"Schedules"`
	}{Schedules: []wireScheduleSummary{}}
	if len(keys) > maxResults {
		last := keys[maxResults-1]
		tok := base64.RawURLEncoding.EncodeToString([]byte(last.group + "\x00" + last.name))
		out.NextToken = &tok
		keys = keys[:maxResults]
	}
	for _, k := range keys {
		sc := s.schedules[k]
		sum := wireScheduleSummary{
			Arn:                  ScheduleArn(k.group, k.name),
			CreationDate:         epoch(sc.CreationDate),
			GroupName:            k.group,
			LastModificationDate: epoch(sc.LastModificationDate),
			Name:                 k.name,
			State:                sc.State,
		}
		sum.Target.Arn = sc.Target.Arn
		out.Schedules = append(out.Schedules, sum)
	}
	respond(w, out, nil)
}

func keyLess(a, b key) bool {
	if a.group != b.group {
		return a.group < b.group
	}
	return a.name < b.name
}
