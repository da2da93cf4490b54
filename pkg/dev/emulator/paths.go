package emulator

import "path/filepath"

// Files inside node_modules that the emulators are started from. They are
// the packages' own entry points (the "bin" of aws-ses-v2-local and s3rver,
// the jar shipped by amplify-dynamodb-simulator), run directly so that the
// process we start is the server itself.
var (
	dynamoDBDir = filepath.Join("node_modules", "amplify-dynamodb-simulator", "emulator")
	dynamoDBJar = filepath.Join(dynamoDBDir, "DynamoDBLocal.jar")
	dynamoDBLib = filepath.Join(dynamoDBDir, "DynamoDBLocal_lib")
	sesEntry    = filepath.Join("node_modules", "aws-ses-v2-local", "dist", "cli.js")
	s3Entry     = filepath.Join("node_modules", "s3rver", "bin", "s3rver.js")
)

// requiredFiles are checked by EnsureNodeModules.
var requiredFiles = []string{dynamoDBJar, dynamoDBLib, sesEntry, s3Entry}
