"""Access and portability exports (R1.7, R1.8): content, rendering, files, jobs and delivery."""
