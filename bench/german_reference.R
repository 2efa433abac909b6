# The issue's reference models on German credit, measured on many partitions: R's randomForest
# (500 trees, R's defaults) and glm logistic regression, 5-fold CV AUC per partition.
# Not part of the build or the tests; needs R (Debian: r-base-core r-cran-randomforest).
# Usage: Rscript bench/german_reference.R [../shared/data/german_credit/german.data]
suppressMessages(library(randomForest))
args <- commandArgs(trailingOnly = TRUE)
path <- if (length(args) > 0) args[1] else "../shared/data/german_credit/german.data"
d <- read.table(path, stringsAsFactors = TRUE)
names(d)[21] <- "class"
d$class <- factor(ifelse(d$class == 2, "bad", "good"))
auc <- function(p, y) {
  r <- rank(p); n1 <- sum(y); n0 <- length(y) - n1
  (sum(r[y == 1]) - n1 * (n1 + 1) / 2) / (n1 * n0)
}
cv <- function(fold) {
  a <- c(); b <- c()
  for (k in 0:4) {
    tr <- d[fold != k, ]; te <- d[fold == k, ]; y <- as.integer(te$class == "bad")
    rf <- randomForest(class ~ ., data = tr, ntree = 500)
    a <- c(a, auc(predict(rf, te, type = "prob")[, "bad"], y))
    lr <- suppressWarnings(glm(I(class == "bad") ~ ., data = tr, family = binomial))
    b <- c(b, auc(predict(lr, te, type = "response"), y))
  }
  c(rf = mean(a), lr = mean(b))
}
report <- function(name, seeds, make_folds) {
  r <- t(sapply(seeds, function(s) { set.seed(s); cv(make_folds()) }))
  cat(sprintf("%-22s rf %.4f (%.4f-%.4f)   lr %.4f (%.4f-%.4f)\n", name, mean(r[, "rf"]),
              min(r[, "rf"]), max(r[, "rf"]), mean(r[, "lr"]), min(r[, "lr"]), max(r[, "lr"])))
}
stratified <- function() {
  fold <- integer(nrow(d))
  for (cls in levels(d$class)) {
    i <- which(d$class == cls); i <- i[sample.int(length(i))]
    fold[i] <- (seq_along(i) - 1) %% 5
  }
  fold
}
random <- function() sample(rep(0:4, length.out = nrow(d)))
report("5 stratified, seeds 1-5", 1:5, stratified)
report("10 random, seeds 1-10", 1:10, random)
