import Testing

@testable import FlexSync

/// flexsync talks https; plain http only to this machine (the emulator).
struct TransportSecurityTests {
    @Test(arguments: [
        "https://taskrouter.twilio.com/v1/Workspaces", "http://127.0.0.1:8080/v1", "http://localhost/v1",
        "http://[::1]:9/v1"
    ])
    func allowed(url: String) throws {
        try CurlSession.checkTransportSecurity(url)
    }

    @Test(arguments: ["http://taskrouter.twilio.com/v1", "http://10.0.0.5/v1", "ftp://127.0.0.1/x"])
    func refused(url: String) {
        #expect(errorMessage { try CurlSession.checkTransportSecurity(url) }?.hasPrefix("refusing '") == true)
    }

    @Test func aRemoteHTTPBaseURLStopsTheRunBeforeAnyRequest() {
        let message = errorMessage { try CurlSession.checkTransportSecurity("http://taskrouter.twilio.com/") }
        #expect(
            message
                == "refusing 'http://taskrouter.twilio.com': flexsync talks to TaskRouter over https only (plain http is allowed to loopback addresses, for the emulator)"
        )
    }

    @Test func messagesNeverCarryUserinfo() {
        #expect(
            CurlSession.pathForMessages(
                "https://AC1:secret@taskrouter.twilio.com/v1/Workspaces/WS1/Workers?PageSize=1000")
                == "/v1/Workspaces/WS1/Workers?PageSize=1000")
    }
}
