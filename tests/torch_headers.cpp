// Compiles the LibTorch headers the test targets precompile (seqseg_test_torch_headers).
