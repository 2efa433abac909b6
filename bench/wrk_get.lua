-- GET the given URL with the tenant's API key (API_KEY from the environment).
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("API_KEY") or "")
