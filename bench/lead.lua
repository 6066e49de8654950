-- wrk script: POST a lead with an e-mail of its own on every request, and
-- count the 201s so the run can check them against the leads stored.
local counter = 0
local thread_id = 0
local threads = {}
created = 0 -- 201 answers, read by done() through thread:get
others = 0
sent = 0

function setup(thread)
	thread_id = thread_id + 1
	thread:set("id", thread_id)
	table.insert(threads, thread)
end

function init(args)
	wrk.method = "POST"
	wrk.headers["Content-Type"] = "application/json"
end

function request()
	counter = counter + 1
	sent = counter
	local body = string.format(
		'{"email":"bench-%d-%d@example.com","name":"Bench %d",' ..
		'"message":"Pricing for 20 seats?","fields":{"budget":"5k"}}',
		id, counter, counter)
	return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
	if status == 201 then
		created = created + 1
	else
		others = others + 1
	end
end

function done(summary, latency, requests)
	local n201, nother, nsent = 0, 0, 0
	for _, t in ipairs(threads) do
		n201 = n201 + t:get("created")
		nother = nother + t:get("others")
		nsent = nsent + t:get("sent")
	end
	io.write(string.format("created %d\nothers %d\nsent %d\n", n201,
		nother, nsent))
	io.write(string.format("p50_us %d\np99_us %d\nrequests %d\n" ..
		"seconds %.3f\nerrors %d\n",
		latency:percentile(50), latency:percentile(99),
		summary.requests, summary.duration / 1e6,
		summary.errors.connect + summary.errors.read +
		summary.errors.write + summary.errors.status +
		summary.errors.timeout))
end
