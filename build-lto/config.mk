URING_LIBS := -luring
