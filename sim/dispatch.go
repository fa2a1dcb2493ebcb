package sim

// handler runs one method against the state. It returns the response payload (nil means an
// empty payload) or an error. It runs with the store locked.
type handler func(c *call) (*obj, *apiError)

// method describes one action of one version.
type method struct {
	web    bool // available on the Web API
	rtm    bool // available on the RTM API
	get    bool // Web method is GET (3.2 property listings); POST otherwise
	noAuth bool // no customer token needed
	h      handler
}

// call is one method invocation.
type call struct {
	st        *store
	srv       *Server
	v         version
	rtm       bool
	license   int
	cust      *customer
	p         params
	conn      *rtmConn    // the requester's RTM connection, nil on the Web API
	form      *uploadForm // multipart fields of upload_file / send_file
	query     map[string]string
	requestID string
	pushes    []pendingPush
	after     []func() // run under the lock once the answer and pushes are queued
}

// pushRender renders a push for a connection of version v. An empty action means that
// version has no such push and the push is not delivered.
type pushRender func(v version) (action string, payload *obj)

// pendingPush is a push produced by a call, addressed to every RTM connection of a customer.
type pendingPush struct {
	customerID string
	render     pushRender
}

// push queues a push for every RTM connection of the customer.
func (c *call) push(customerID string, r pushRender) {
	c.pushes = append(c.pushes, pendingPush{customerID, r})
}

// same is a pushRender helper for pushes named alike in every version.
func same(action string, build func(v version) *obj) pushRender {
	return func(v version) (string, *obj) { return action, build(v) }
}

// byVersion is a pushRender helper for pushes renamed between versions; an empty name means
// the version has no such push.
func byVersion(n30, n31, n32 string, build func(v version) *obj) pushRender {
	return func(v version) (string, *obj) {
		name := [...]string{n30, n31, n32}[v]
		if name == "" {
			return "", nil
		}
		return name, build(v)
	}
}

// lookupMethod returns the method named action in version v.
func lookupMethod(v version, action string) (method, bool) {
	m, ok := methodTables[v][action]
	return m, ok
}

// methodTables lists every action of every version (spec/methods.md §2.1).
var methodTables = [3]map[string]method{
	v30: {
		"login":                         {rtm: true, noAuth: true, h: mLogin},
		"get_chats_summary":             {web: true, rtm: true, h: mGetChatsSummary},
		"get_chat_threads_summary":      {web: true, rtm: true, h: mGetChatThreadsSummary},
		"get_chat_threads":              {web: true, rtm: true, h: mGetChatThreads},
		"start_chat":                    {web: true, rtm: true, h: mStartChat},
		"activate_chat":                 {web: true, rtm: true, h: mActivateChat},
		"close_thread":                  {web: true, rtm: true, h: mDeactivateChat},
		"send_event":                    {web: true, rtm: true, h: mSendEvent},
		"send_file":                     {web: true, h: mSendFile},
		"upload_file":                   {web: true, h: mUploadFile},
		"send_rich_message_postback":    {web: true, rtm: true, h: mSendRichMessagePostback},
		"send_sneak_peek":               {web: true, rtm: true, h: mSendSneakPeek},
		"update_chat_properties":        {web: true, rtm: true, h: mUpdateChatProperties},
		"delete_chat_properties":        {web: true, rtm: true, h: mDeleteChatProperties},
		"update_chat_thread_properties": {web: true, rtm: true, h: mUpdateThreadProperties},
		"delete_chat_thread_properties": {web: true, rtm: true, h: mDeleteThreadProperties},
		"update_event_properties":       {web: true, rtm: true, h: mUpdateEventProperties},
		"delete_event_properties":       {web: true, rtm: true, h: mDeleteEventProperties},
		"update_last_seen_timestamp":    {web: true, rtm: true, h: mUpdateLastSeenTimestamp},
		"update_customer":               {web: true, rtm: true, h: mUpdateCustomer},
		"update_customer_page":          {rtm: true, h: mUpdateCustomerPage},
		"set_customer_fields":           {web: true, rtm: true, h: mSetCustomerFields},
		"get_groups_status":             {web: true, rtm: true, h: mGetGroupsStatus},
		"check_goals":                   {web: true, h: mCheckGoals},
		"get_form":                      {web: true, rtm: true, h: mGetForm},
		"get_predicted_agent":           {web: true, rtm: true, h: mGetPredictedAgent},
		"get_url_details":               {web: true, rtm: true, h: mGetURLInfo},
	},
	v31: {
		"login":                         {rtm: true, noAuth: true, h: mLogin},
		"get_chats_summary":             {web: true, rtm: true, h: mGetChatsSummary},
		"get_chat_threads_summary":      {web: true, rtm: true, h: mGetChatThreadsSummary},
		"get_chat_threads":              {web: true, rtm: true, h: mGetChatThreads},
		"start_chat":                    {web: true, rtm: true, h: mStartChat},
		"activate_chat":                 {web: true, rtm: true, h: mActivateChat},
		"close_thread":                  {web: true, rtm: true, h: mDeactivateChat},
		"send_event":                    {web: true, rtm: true, h: mSendEvent},
		"upload_file":                   {web: true, h: mUploadFile},
		"send_rich_message_postback":    {web: true, rtm: true, h: mSendRichMessagePostback},
		"send_sneak_peek":               {web: true, rtm: true, h: mSendSneakPeek},
		"update_chat_properties":        {web: true, rtm: true, h: mUpdateChatProperties},
		"delete_chat_properties":        {web: true, rtm: true, h: mDeleteChatProperties},
		"update_chat_thread_properties": {web: true, rtm: true, h: mUpdateThreadProperties},
		"delete_chat_thread_properties": {web: true, rtm: true, h: mDeleteThreadProperties},
		"update_event_properties":       {web: true, rtm: true, h: mUpdateEventProperties},
		"delete_event_properties":       {web: true, rtm: true, h: mDeleteEventProperties},
		"mark_events_as_seen":           {web: true, rtm: true, h: mMarkEventsAsSeen},
		"update_customer":               {web: true, rtm: true, h: mUpdateCustomer},
		"update_customer_page":          {rtm: true, h: mUpdateCustomerPage},
		"set_customer_fields":           {web: true, rtm: true, h: mSetCustomerFields},
		"get_groups_status":             {web: true, rtm: true, h: mGetGroupsStatus},
		"check_goals":                   {web: true, h: mCheckGoals},
		"get_form":                      {web: true, rtm: true, h: mGetForm},
		"get_predicted_agent":           {web: true, rtm: true, h: mGetPredictedAgent},
		"get_url_details":               {web: true, rtm: true, h: mGetURLInfo},
	},
	v32: {
		"login":                       {rtm: true, noAuth: true, h: mLogin},
		"list_chats":                  {web: true, rtm: true, h: mListChats},
		"list_threads":                {web: true, rtm: true, h: mListThreads},
		"get_chat":                    {web: true, rtm: true, h: mGetChat},
		"start_chat":                  {web: true, rtm: true, h: mStartChat},
		"activate_chat":               {web: true, rtm: true, h: mActivateChat},
		"deactivate_chat":             {web: true, rtm: true, h: mDeactivateChat},
		"send_event":                  {web: true, rtm: true, h: mSendEvent},
		"upload_file":                 {web: true, h: mUploadFile},
		"send_rich_message_postback":  {web: true, rtm: true, h: mSendRichMessagePostback},
		"send_sneak_peek":             {web: true, rtm: true, h: mSendSneakPeek},
		"update_chat_properties":      {web: true, rtm: true, h: mUpdateChatProperties},
		"delete_chat_properties":      {web: true, rtm: true, h: mDeleteChatProperties},
		"update_thread_properties":    {web: true, rtm: true, h: mUpdateThreadProperties},
		"delete_thread_properties":    {web: true, rtm: true, h: mDeleteThreadProperties},
		"update_event_properties":     {web: true, rtm: true, h: mUpdateEventProperties},
		"delete_event_properties":     {web: true, rtm: true, h: mDeleteEventProperties},
		"list_license_properties":     {web: true, get: true, noAuth: true, h: mListLicenseProperties},
		"list_group_properties":       {web: true, get: true, noAuth: true, h: mListGroupProperties},
		"mark_events_as_seen":         {web: true, rtm: true, h: mMarkEventsAsSeen},
		"update_customer":             {web: true, rtm: true, h: mUpdateCustomer},
		"update_customer_page":        {rtm: true, h: mUpdateCustomerPage},
		"set_customer_session_fields": {web: true, rtm: true, h: mSetCustomerFields},
		"get_customer":                {web: true, rtm: true, h: mGetCustomer},
		"list_group_statuses":         {web: true, rtm: true, h: mGetGroupsStatus},
		"check_goals":                 {web: true, h: mCheckGoals},
		"get_form":                    {web: true, rtm: true, h: mGetForm},
		"get_predicted_agent":         {web: true, rtm: true, h: mGetPredictedAgent},
		"get_url_info":                {web: true, rtm: true, h: mGetURLInfo},
		"accept_greeting":             {web: true, rtm: true, h: mAcceptGreeting},
		"cancel_greeting":             {web: true, rtm: true, h: mCancelGreeting},
	},
}
