// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "flexsync",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "flexsync", targets: ["flexsync"]),
        .executable(name: "taskrouter-emulator", targets: ["taskrouter-emulator"]),
        .executable(name: "flexsync-bench", targets: ["flexsync-bench"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", .upToNextMinor(from: "2.101.2"))
    ],
    targets: [
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .systemLibrary(
            name: "CLibCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(name: "CCurlShim", dependencies: ["CLibCurl"]),
        // libxml2's generic error handler is variadic: set from C, so that libxml2 prints nothing.
        .target(name: "CXMLShim", dependencies: ["CLibXML2"]),
        // SHA-256 blocks on the processor's SHA instructions, for the input digest (plain C, no library).
        .target(name: "CSHA256"),
        // Cache prefetch for lookups in large tables (plain C, inline).
        .target(name: "CMemory"),
        // libphonenumber (C++, Debian's libphonenumber-dev, no pkg-config file) behind a C header; its
        // generated protobuf message class is inline in its headers, so protobuf is linked too, and
        // ICU (libicu-dev), whose regular expressions the plain-number reader runs as the library does.
        .target(
            name: "CPhoneNumber",
            linkerSettings: [
                .linkedLibrary("phonenumber"), .linkedLibrary("protobuf"), .linkedLibrary("icui18n"),
                .linkedLibrary("icuuc"), .linkedLibrary("stdc++")
            ]
        ),
        .target(
            name: "FlexSync",
            dependencies: [
                "CLibXML2", "CXMLShim", "CLibCurl", "CCurlShim", "CPhoneNumber", "CSHA256", "CMemory",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams")
            ],
            // Each part says what it owns and what it must not know.
            exclude: [
                "Extract/README.md", "Mapping/README.md", "Insights/README.md", "TaskRouter/README.md",
                "Sync/README.md",
                "Reports/README.md", "Pipeline/README.md"
            ]
        ),
        .target(
            name: "TaskRouterEmulator",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log")
            ]
        ),
        .executableTarget(
            name: "flexsync",
            dependencies: [
                "FlexSync",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log")
            ]
        ),
        .executableTarget(
            name: "taskrouter-emulator",
            dependencies: [
                "TaskRouterEmulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser")
            ]
        ),
        .executableTarget(name: "flexsync-bench", dependencies: ["FlexSync"]),
        .testTarget(
            name: "FlexSyncTests", dependencies: ["FlexSync", "TaskRouterEmulator"],
            exclude: ["Fixtures"]),
        .testTarget(name: "TaskRouterEmulatorTests", dependencies: ["TaskRouterEmulator"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TaskRouterEmulator"])
    ],
    // libphonenumber's headers (and the abseil and protobuf headers they include) need C++17.
    cxxLanguageStandard: .cxx17
)
